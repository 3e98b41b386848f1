"""X-Request-ID on web requests, in JSON log lines, and carried into background jobs."""

import json
import logging
import re
import sys
import threading
import uuid

import pytest
from django.urls import reverse

from apps.jobs.models import JobStatus
from tests.support import jobs_actors as actors
from tests.support.jobs_actors import wait_for_run
from viralforge.logging import JsonFormatter
from viralforge.request_id import clean_request_id, get_request_id, reset_request_id, set_request_id

GENERATED = re.compile(r"[0-9a-f]{32}")


class JsonCapture(logging.Handler):
    """Keeps each record as the JSON line production would write."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record):
        line = self.format(record)
        with self._guard:
            self.lines.append(line)

    def records(self) -> list[dict]:
        with self._guard:
            return [json.loads(line) for line in self.lines]


@pytest.fixture
def json_logs():
    handler = JsonCapture()
    jobs_logger = logging.getLogger("viralforge.jobs")
    previous_level = jobs_logger.level
    jobs_logger.setLevel(logging.INFO)
    jobs_logger.addHandler(handler)
    yield handler
    jobs_logger.removeHandler(handler)
    jobs_logger.setLevel(previous_level)


# --- the web side ----------------------------------------------------------------------


def test_request_id_header_is_echoed(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "test-req-123"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "test-req-123"


def test_missing_request_id_is_generated(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "bad",
    ["has spaces in it", "x" * 129, "semi;colon", "<script>", "ünïcode"],
)
def test_invalid_request_id_is_replaced(client, db, bad):
    returned = client.get("/healthz", headers={"X-Request-ID": bad})["X-Request-ID"]
    assert returned != bad
    assert GENERATED.fullmatch(returned)


def test_longest_allowed_request_id_is_kept(client, db):
    value = "a1.B2:c3-d4_" + "x" * 116
    assert len(value) == 128
    assert client.get("/healthz", headers={"X-Request-ID": value})["X-Request-ID"] == value


def test_trailing_newline_is_not_accepted():
    assert clean_request_id("abc\n") != "abc\n"
    assert clean_request_id("abc") == "abc"


def test_request_id_does_not_leak_out_of_the_request(client, db):
    client.get("/healthz", headers={"X-Request-ID": "test-req-leak"})
    assert get_request_id() is None


# --- JSON log lines --------------------------------------------------------------------


def test_json_formatter_writes_one_json_object_with_request_id():
    handler = JsonCapture()
    logger = logging.getLogger("viralforge.tests.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    token = set_request_id("test-req-json")
    try:
        logger.info("hello %s", "wörld", extra={"post_id": 7, "when": object()})
        try:
            raise ValueError("kaputt")
        except ValueError:
            logger.exception("it broke")
    finally:
        reset_request_id(token)
        logger.removeHandler(handler)
    logger.info("after the request")  # not captured any more: the handler is gone

    assert len(handler.lines) == 2
    assert all("\n" not in line for line in handler.lines)  # one line per record
    first, second = handler.records()
    assert first["msg"] == "hello wörld"
    assert first["level"] == "INFO"
    assert first["logger"] == "viralforge.tests.json"
    assert first["request_id"] == "test-req-json"
    assert first["post_id"] == 7
    assert isinstance(first["when"], str)  # unserializable extras are stringified, not fatal
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["ts"])
    assert second["level"] == "ERROR"
    assert "ValueError: kaputt" in second["exc"]
    assert second["request_id"] == "test-req-json"


def test_json_formatter_request_id_is_null_outside_a_request():
    record = logging.getLogger("viralforge.tests.json").makeRecord(
        "viralforge.tests.json", logging.WARNING, __file__, 1, "plain", (), None
    )
    payload = json.loads(JsonFormatter().format(record))
    assert payload["request_id"] is None
    assert payload["msg"] == "plain"


def test_json_formatter_without_log_record_factory():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "raw", (), sys.exc_info())
    assert json.loads(JsonFormatter().format(record))["request_id"] is None


# --- into the worker -------------------------------------------------------------------


def test_request_id_travels_into_the_job_and_its_log_lines(org, owner, client_for, worker, json_logs):
    actors.reset()
    token = uuid.uuid4().hex
    job = actors.dead_switchable_run(org, token, attempts=3)
    response = client_for(owner).post(
        reverse("job_requeue", args=[org.slug, job.id]), headers={"X-Request-ID": "test-req-123"}
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "test-req-123"

    run = wait_for_run(job.id, JobStatus.SUCCEEDED)
    assert run.request_id == "test-req-123"
    assert actors.calls[token] == 1
    worker.join()

    records = json_logs.records()
    mine = [r for r in records if str(job.id) in r["msg"] or token in r["msg"]]
    messages = [r["msg"] for r in mine]
    assert f"Job {job.id} started (vf_test_switchable)." in messages
    assert f"switchable actor ran for {token}" in messages  # logged by the actor itself
    assert f"Job {job.id} succeeded." in messages
    assert {r["request_id"] for r in mine} == {"test-req-123"}


def test_job_without_a_request_gets_its_own_id(org, worker, json_logs):
    from apps.jobs.actions import do_enqueue_job

    actors.reset()
    token = uuid.uuid4().hex
    job = do_enqueue_job(actors.succeed, organization=org, token=token)
    run = wait_for_run(job.id, JobStatus.SUCCEEDED)
    assert run.request_id == ""
    mine = [r for r in json_logs.records() if token in r["msg"]]
    assert len(mine) == 1
    assert mine[0]["request_id"] == f"job-{run.message_id}"


def test_dead_letter_log_line_carries_the_request_id(org, owner, client_for, worker, json_logs):
    actors.reset()
    token = uuid.uuid4().hex
    actors.broken.add(token)
    job = actors.dead_switchable_run(org, token)
    client_for(owner).post(reverse("job_requeue", args=[org.slug, job.id]), headers={"X-Request-ID": "test-req-dead"})
    run = wait_for_run(job.id, JobStatus.DEAD, requeued_count=1, attempts=3)
    assert "is broken" in run.last_error
    worker.join()
    final = [r for r in json_logs.records() if r["msg"].startswith(f"Job {job.id} failed for good")]
    assert len(final) == 1
    assert final[0]["request_id"] == "test-req-dead"
    assert final[0]["level"] == "ERROR"


def test_django_request_log_for_a_404_carries_the_request_id(client, caplog):
    import json
    import logging

    from viralforge.logging import JsonFormatter

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404-check")
    assert response.status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    assert json.loads(JsonFormatter().format(records[-1]))["request_id"] == "req-404-check"


def test_a_403_logs_one_line_without_a_traceback(client_for, org, viewer, caplog):
    """Issue 16 (11): a refused request is logged as one line at WARNING, not with the PermissionDenied traceback."""
    import json
    import logging

    from viralforge.logging import JsonFormatter

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(viewer).get(f"/o/{org.slug}/settings/")
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request" and getattr(r, "status_code", 0) == 403]
    line = JsonFormatter().format(record)
    assert "\n" not in line and "exc" not in json.loads(line) and "Forbidden" in json.loads(line)["msg"]
