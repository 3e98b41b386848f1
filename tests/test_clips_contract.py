"""The Veo and Kling clients against their sandbox stand-ins: state machines, JWT claims, files, every error."""

import time
from datetime import timedelta

import jwt
import pytest

from apps.core import clock
from apps.media.clips.base import ClipError, ClipPrompt, Outcome
from apps.media.clips.kling import CODE_OUTCOMES, KlingClient, token
from apps.media.clips.veo import VeoClient
from apps.media.render import qa
from apps.sandbox import clipgen
from apps.sandbox import kling as kling_stand_in  # noqa: F401  (registers its fault kinds)
from apps.sandbox import veo as veo_stand_in  # noqa: F401
from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.models import SandboxCall

pytestmark = pytest.mark.django_db(transaction=True)
PROMPT = ClipPrompt("Barista pours latte art in slow motion, warm light", "blurry, text", "9:16", 2,
                    "veo-3.1-fast-generate-preview")  # fmt: skip
AK, SK = "sbx-kling-access", "sbx-kling-secret-0123456789"


@pytest.fixture
def sandbox(live_server):
    for service in ("veo", "kling"):
        clear_faults(service)
        clipgen.reset(service)
        clipgen.configure(service, submitted_seconds=1, processing_seconds=2, hang_seconds=0.6)
    yield live_server.url + "/sandbox"
    for service in ("veo", "kling"):
        clear_faults(service)
        clipgen.reset(service)


def veo(sandbox, key="sbx-veo-key", **options):
    return VeoClient(api_key=key, base_url=sandbox + "/veo", **options)


def kling(sandbox, access=AK, secret=SK, **options):
    return KlingClient(access_key=access, secret_key=secret, base_url=sandbox + "/kling", **options)


# --- Veo ------------------------------------------------------------------------------------------


def test_veo_operation_runs_from_pending_to_a_downloadable_clip(sandbox, tmp_path):
    client = veo(sandbox)
    with clock.freeze():
        name = client.create(PROMPT)
        assert name.startswith("models/veo-3.1-fast-generate-preview/operations/")
        assert client.poll(name).state == "pending"
        clock.advance(timedelta(seconds=2.5))
        assert client.poll(name).state == "pending"
        clock.advance(timedelta(seconds=1))
        done = client.poll(name)
        assert done.state == "done" and done.video_url.endswith(":download?alt=media")
        path = client.download(done.video_url, tmp_path / "clip.mp4")
    found = qa.probe(path)
    assert (found.width, found.height, found.video_codec) == (180, 320, "h264")
    assert abs(found.duration - 2) < 0.1
    create = SandboxCall.objects.get(service="veo", method="POST")
    assert create.body == {
        "instances": [{"prompt": PROMPT.prompt}],
        "parameters": {
            "aspectRatio": "9:16", "durationSeconds": 2, "resolution": "720p", "negativePrompt": "blurry, text",
        },  # fmt: skip
    }
    assert create.headers.get("Content-Type") == "application/json"
    assert clipgen.creates("veo") == 1


def test_veo_download_needs_the_key(sandbox, tmp_path):
    client = veo(sandbox)
    with clock.freeze():
        name = client.create(PROMPT)
        clock.advance(timedelta(seconds=5))
        uri = client.poll(name).video_url
        with pytest.raises(ClipError) as caught:
            veo(sandbox, key="").download(uri, tmp_path / "x.mp4")
    assert (caught.value.status, caught.value.outcome) == (403, Outcome.AUTH)
    assert not (tmp_path / "x.mp4").exists()


def test_veo_safety_block_is_done_without_samples_and_with_reasons(sandbox):
    set_faults("veo", rates={"safety": 1})
    client = veo(sandbox)
    with clock.freeze():
        name = client.create(PROMPT)
        clear_faults("veo")
        clock.advance(timedelta(seconds=5))
        result = client.poll(name)
    assert result.state == "blocked"
    assert result.reasons and "safety policy" in result.reasons[0]


def test_veo_stuck_operation_stays_pending_and_failed_one_reports_its_error(sandbox):
    client = veo(sandbox)
    with clock.freeze():
        set_faults("veo", rates={"stuck": 1})
        stuck = client.create(PROMPT)
        set_faults("veo", rates={"failed": 1})
        failed = client.create(PROMPT)
        clear_faults("veo")
        clock.advance(timedelta(hours=1))
        assert client.poll(stuck).state == "pending"
        result = client.poll(failed)
    assert result.state == "failed" and "INTERNAL" in result.detail


def test_veo_download_that_fails_once_works_the_second_time(sandbox, tmp_path):
    set_faults("veo", rates={"download_once": 1})
    client = veo(sandbox)
    with clock.freeze():
        name = client.create(PROMPT)
        clear_faults("veo")
        clock.advance(timedelta(seconds=5))
        uri = client.poll(name).video_url
        with pytest.raises(ClipError) as caught:
            client.download(uri, tmp_path / "clip.mp4")
        assert caught.value.status == 503 and caught.value.retryable
        assert client.download(uri, tmp_path / "clip.mp4").stat().st_size > 1000


@pytest.mark.parametrize(
    ("fault", "status", "outcome", "retry_after"),
    [
        ("400", 400, Outcome.INVALID, None),
        ("403", 403, Outcome.AUTH, None),
        ("429", 429, Outcome.TRANSIENT, 3.0),
        ("429_no_hint", 429, Outcome.TRANSIENT, None),
        ("500", 500, Outcome.TRANSIENT, None),
        ("503", 503, Outcome.TRANSIENT, None),
    ],
)
def test_veo_errors_map_to_outcomes(sandbox, fault, status, outcome, retry_after):
    set_faults("veo", rates={fault: 1}, retry_after=3)
    with pytest.raises(ClipError) as caught:
        veo(sandbox).create(PROMPT)
    error = caught.value
    assert (error.status, error.outcome, error.retry_after) == (status, outcome, retry_after)
    assert error.code and error.message.endswith("(sandbox fault).")
    assert clipgen.creates("veo") == 0


def test_veo_key_and_request_errors(sandbox):
    with pytest.raises(ClipError) as caught:
        veo(sandbox, key="sbx-invalid-key").create(PROMPT)
    assert (caught.value.status, caught.value.code, caught.value.outcome) == (400, "INVALID_ARGUMENT", Outcome.AUTH)
    with pytest.raises(ClipError) as caught:
        veo(sandbox).create(ClipPrompt("x", model="veo-9"))
    assert (caught.value.status, caught.value.code, caught.value.outcome) == (404, "NOT_FOUND", Outcome.INVALID)
    with pytest.raises(ClipError) as caught:
        veo(sandbox).create(ClipPrompt("x", seconds=30))
    assert (caught.value.status, caught.value.outcome) == (400, Outcome.INVALID)


def test_veo_timeout_is_transient(sandbox):
    set_faults("veo", rates={"timeout": 1})
    started = time.monotonic()
    with pytest.raises(ClipError) as caught:
        veo(sandbox, timeout=0.3).create(PROMPT)
    assert (caught.value.code, caught.value.outcome) == ("timeout", Outcome.TRANSIENT)
    assert time.monotonic() - started < 0.6


# --- Kling ----------------------------------------------------------------------------------------


def test_kling_task_moves_through_its_states_and_is_downloaded(sandbox, tmp_path):
    client = kling(sandbox)
    prompt = ClipPrompt(PROMPT.prompt, "blurry", "1:1", 5, "kling-v1-6")
    with clock.freeze():
        task_id = client.create(prompt, external_task_id="scene-1")
        seen = [client.query(task_id).provider_state]
        clock.advance(timedelta(seconds=1.5))
        seen.append(client.query(task_id).provider_state)
        clock.advance(timedelta(seconds=2))
        done = client.query(task_id)
        found = qa.probe(client.download(done.video_url, tmp_path / "k.mp4"))
    assert seen == ["submitted", "processing"]
    assert (done.state, done.provider_state, done.seconds) == ("done", "succeed", 5.0)
    assert (found.width, found.height) == (240, 240) and abs(found.duration - 5) < 0.1
    body = SandboxCall.objects.get(service="kling", method="POST").body
    assert body == {"model_name": "kling-v1-6", "prompt": prompt.prompt, "cfg_scale": 0.5, "mode": "std",
                    "aspect_ratio": "1:1", "duration": "5", "negative_prompt": "blurry",
                    "external_task_id": "scene-1"}  # fmt: skip


def test_kling_jwt_has_the_contract_claims():
    with clock.freeze():
        now = int(clock.timestamp())
        claims = jwt.decode(token(AK, SK), SK, algorithms=["HS256"], options={"verify_exp": False})
        assert jwt.get_unverified_header(token(AK, SK))["alg"] == "HS256"
    assert claims == {"iss": AK, "exp": now + 1800, "nbf": now - 5}


def _raw_query(client, authorization):
    from django.test import Client

    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return Client().get("/sandbox/kling/v1/videos/text2video/nothing", **headers)


def test_kling_stand_in_checks_the_jwt_claims(sandbox):
    now = int(clock.timestamp())
    cases = [
        (None, 1001),
        ("Bearer not-a-jwt", 1002),
        ("Bearer " + jwt.encode({"iss": AK, "exp": now + 60, "nbf": now - 5}, "wrong-secret", algorithm="HS256"), 1002),
        ("Bearer " + jwt.encode({"iss": "nobody", "exp": now + 60, "nbf": now - 5}, SK, algorithm="HS256"), 1002),
        ("Bearer " + jwt.encode({"iss": AK, "exp": now + 60}, SK, algorithm="HS256"), 1002),
        ("Bearer " + jwt.encode({"iss": AK, "exp": now + 1800, "nbf": now + 60}, SK, algorithm="HS256"), 1003),
        ("Bearer " + jwt.encode({"iss": AK, "exp": now - 1, "nbf": now - 100}, SK, algorithm="HS256"), 1004),
    ]
    for authorization, code in cases:
        response = _raw_query(None, authorization)
        assert (response.status_code, response.json()["code"]) == (401, code), authorization
    good = "Bearer " + token(AK, SK)
    assert _raw_query(None, good).json()["code"] == 1201  # past the token check: the task is unknown
    # The client's own token expires on the sandbox clock after 30 minutes.
    with clock.freeze():
        stale = "Bearer " + token(AK, SK)
        clock.advance(timedelta(seconds=1801))
        assert _raw_query(None, stale).json()["code"] == 1004


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("401", 401, 1000), ("1102", 429, 1102), ("1103", 403, 1103), ("1200", 400, 1200), ("1203", 404, 1203),
        ("1301", 400, 1301), ("429", 429, 1302), ("429_no_hint", 429, 1303), ("500", 500, 5000),
        ("503", 503, 5001), ("504", 504, 5002),
    ],
)  # fmt: skip
def test_kling_error_codes_map_to_outcomes(sandbox, fault, status, code):
    set_faults("kling", rates={fault: 1}, retry_after=2)
    with pytest.raises(ClipError) as caught:
        kling(sandbox).create(PROMPT)
    error = caught.value
    assert (error.status, error.code, error.outcome) == (status, str(code), CODE_OUTCOMES[code])
    assert error.retry_after == (2.0 if fault == "429" else None)
    assert clipgen.creates("kling") == 0


def test_kling_code_table_covers_the_contract():
    expected = {
        Outcome.AUTH: [1000, 1001, 1002, 1003, 1004, 1103],
        Outcome.QUOTA: [1100, 1101, 1102],
        Outcome.INVALID: [1200, 1201, 1203],
        Outcome.BLOCKED: [1300, 1301],
        Outcome.TRANSIENT: [1302, 1303, 5000, 5001, 5002],
    }
    assert {o: sorted(c for c, v in CODE_OUTCOMES.items() if v == o) for o in expected} == expected


def test_kling_account_keys_and_bad_parameters(sandbox):
    with pytest.raises(ClipError) as caught:
        kling(sandbox, access="sbx-kling-arrears", secret="sbx-kling-arrears-secret").create(PROMPT)
    assert (caught.value.code, caught.value.outcome) == ("1101", Outcome.QUOTA)
    with pytest.raises(ClipError) as caught:
        kling(sandbox).create(ClipPrompt("x", model="kling-v9"))
    assert (caught.value.status, caught.value.code, caught.value.outcome) == (404, "1203", Outcome.INVALID)


def test_kling_safety_failure_stuck_task_and_download_once(sandbox, tmp_path):
    client = kling(sandbox)
    with clock.freeze():
        ids = {}
        for fault in ("safety", "failed", "stuck", "download_once"):
            set_faults("kling", rates={fault: 1})
            ids[fault] = client.create(ClipPrompt(PROMPT.prompt))
        clear_faults("kling")
        clock.advance(timedelta(seconds=10))
        results = {fault: client.query(task_id) for fault, task_id in ids.items()}
        url = results["download_once"].video_url
        with pytest.raises(ClipError) as caught:
            client.download(url, tmp_path / "k.mp4")
        assert caught.value.retryable
        assert client.download(url, tmp_path / "k.mp4").exists()
    assert results["safety"].state == "blocked" and "risk control" in results["safety"].detail
    assert results["failed"].state == "failed"
    assert (results["stuck"].state, results["stuck"].provider_state) == ("pending", "processing")


def test_kling_timeout_is_transient(sandbox):
    set_faults("kling", rates={"timeout": 1})
    with pytest.raises(ClipError) as caught:
        kling(sandbox, timeout=0.3).create(PROMPT)
    assert (caught.value.code, caught.value.outcome) == ("timeout", Outcome.TRANSIENT)
