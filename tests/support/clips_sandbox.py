"""Valid requests to the sandbox Veo and Kling for the endpoint registry: fresh operations and tasks
made through the stand-ins' own state (no live server), a Veo key and a Kling JWT."""

from apps.core import clock
from apps.media.clips.kling import token
from apps.sandbox import clipgen

VEO_MODEL = "veo-3.1-fast-generate-preview"
VEO_HEADERS = {"HTTP_X_GOOG_API_KEY": "sbx-veo-registry"}
VEO_BODY = {
    "instances": [{"prompt": "Coffee beans, macro"}], "parameters": {"aspectRatio": "9:16", "durationSeconds": 1},
}  # fmt: skip
KLING_BODY = {"model_name": "kling-v1-6", "prompt": "Coffee beans, macro", "aspect_ratio": "9:16", "duration": "5"}


def kling_headers(tenant=None) -> dict:
    return {"HTTP_AUTHORIZATION": "Bearer " + token("sbx-kling-access", "sbx-kling-secret-0123456789")}


def _finished(service: str, params: dict) -> str:
    """A generation that is done already (created an hour ago on the clock)."""
    task = clipgen.create(service, params)
    task["created_at"] = clock.timestamp() - 3600
    clipgen.save(service, task)
    return task["id"]


def veo_operation(tenant=None) -> str:
    return _finished("veo", {"model": VEO_MODEL, "prompt": "Beans", "aspect_ratio": "9:16", "seconds": 1})


def kling_task(tenant=None) -> str:
    params = {"model": "kling-v1-6", "prompt": "Beans", "aspect_ratio": "9:16", "seconds": 1, "external_task_id": ""}
    return _finished("kling", params)
