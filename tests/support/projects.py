"""Shared helpers of the project page tests (no tests here)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.ai.models import AgentRoute, BrandVoice
from apps.projects.models import Project, ProjectUserObjectPermission

HX = {"HTTP_HX_REQUEST": "true"}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10" fill="#5b3df5"/></svg>'
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_project(org, slug="alpenglow", name="Alpenglow Coffee", **fields) -> Project:
    return Project.objects.create(organization=org, name=name, slug=slug, **fields)


def purl(name: str, org, project=None, membership=None) -> str:
    """The URL of a project endpoint; `project` is a Project or a slug, `membership` a Membership or an id."""
    kwargs = {"org_slug": org.slug}
    if project is not None:
        kwargs["project_slug"] = getattr(project, "slug", project)
    if membership is not None:
        kwargs["membership_id"] = getattr(membership, "id", membership)
    return reverse(name, kwargs=kwargs)


def snapshot(org) -> tuple:
    """Everything a refused request could have touched in `org`."""
    projects = list(
        Project.objects.for_org(org)
        .order_by("id")
        .values_list(
            "id",
            "name",
            "slug",
            "language",
            "time_zone",
            "slot_times",
            "audience",
            "colors",
            "logo",
            "cta",
            "hashtags",
            "topics",
            "content_pillars",
            "target_platforms",
            "autopilot",
            "approval_rule",
            "monthly_token_budget",
            "monthly_video_seconds_budget",
            "max_regenerations_per_post",
        )
    )
    voices = list(BrandVoice.objects.for_org(org).order_by("id").values_list("project", "voice", "tone", "do_list"))
    routes = list(AgentRoute.objects.for_org(org).order_by("id").values_list("project", "agent", "provider", "model"))
    grants = sorted(
        ProjectUserObjectPermission.objects.filter(content_object__organization=org).values_list(
            "user_id", "content_object_id"
        )
    )
    return projects, voices, routes, grants


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def basics(**overrides) -> dict:
    data = {
        "name": "Alpenglow Coffee",
        "slug": "",
        "language": "de",
        "time_zone": "Europe/Berlin",
        "slot_1": "09:00",
        "slot_2": "13:00",
        "slot_3": "19:00",
    }
    return data | overrides
