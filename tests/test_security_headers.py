"""Every kind of page carries the security headers, and no template needs inline code to work.

- `Content-Security-Policy` with `script-src 'self'` (no 'unsafe-inline', no 'unsafe-eval'),
  `style-src 'self'`, `frame-ancestors 'none'`, `form-action 'self'` and a report URI;
- `Permissions-Policy` with camera, microphone and geolocation off;
- `Cache-Control: no-store` on every page a signed-in user gets;
- the HTML has no inline `<script>`, no `<style>` element, no `on…=` handler, no `style=` attribute.
"""

import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from apps.ai.models import KnowledgeDoc
from apps.jobs.models import JobRun, JobStatus
from tests.support.ports import free_port
from tests.support.posts import HX, MONTH, make_plan, make_post, make_project

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style\b", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_headers(response, *, signed_in: bool) -> None:
    csp = directives(response)
    assert csp["script-src"] == ["'self'"], csp
    assert "'unsafe-inline'" not in csp["style-src"] and "'unsafe-eval'" not in csp["default-src"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert csp["report-uri"] == ["/csp-report/"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions
    if signed_in:
        assert "no-store" in response["Cache-Control"]
    assert "Server" not in response


def assert_no_inline_code(response) -> None:
    if not response["Content-Type"].startswith("text/html"):
        return
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html).group(0)


@pytest.fixture
def world(org, owner):
    project = make_project(org, colors=["#112233", "#ddeeff"])
    post = make_post(make_plan(project), MONTH, 1)
    KnowledgeDoc.objects.create(organization=org, title="Tone", kind="brand_constraint", created_by=owner)
    job = JobRun.objects.create(organization=org, kind="demo.job", actor_name="demo_actor", status=JobStatus.RUNNING)
    return {"org": org.slug, "project": project.slug, "post": post.id, "job": job.id}


SIGNED_IN_PAGES = [
    ("org_dashboard", ["org"], {}),
    ("org_members", ["org"], {}),
    ("org_settings", ["org"], {}),
    ("org_create", [], {}),
    ("project_list", ["org"], {}),
    ("project_dashboard", ["org", "project"], {}),
    ("project_settings", ["org", "project"], {}),
    ("project_calendar", ["org", "project"], {"month": "2026-03"}),
    ("post_detail", ["org", "project", "post"], {}),
    ("post_detail", ["org", "project", "post"], {"htmx": True}),
    ("knowledge_list", ["org"], {}),
    ("prompt_list", ["org"], {}),
    ("ai_decisions", ["org"], {}),
    ("policy_test_bench", ["org"], {}),
    ("credential_list", ["org"], {}),
    ("billing_usage", ["org"], {}),
    ("job_queue", ["org"], {}),
    ("job_detail", ["org", "job"], {}),
    ("account_email", [], {}),
    ("account_change_password", [], {}),
]


@pytest.mark.parametrize(("name", "args", "options"), SIGNED_IN_PAGES, ids=lambda v: str(v))
def test_signed_in_pages(client_for, owner, world, name, args, options):
    values = [world[a] for a in args]
    if "month" in options:
        values.append(options["month"])
    response = client_for(owner).get(reverse(name, args=values), **(HX if options.get("htmx") else {}))
    assert response.status_code == 200
    assert_headers(response, signed_in=True)
    assert_no_inline_code(response)


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_anonymous_pages(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_headers(response, signed_in=False)
    assert_no_inline_code(response)


def test_error_pages(client_for, owner, world):
    client = client_for(owner)
    missing = client.get(f"/o/{world['org']}/p/no-such-project/")
    assert missing.status_code == 404
    assert_headers(missing, signed_in=True)
    assert_no_inline_code(missing)
    refused = client.generic(
        "POST", reverse("org_rename", args=[world["org"]]), b"name=%FF", "application/x-www-form-urlencoded"
    )
    assert refused.status_code == 400
    assert_headers(refused, signed_in=True)
    assert_no_inline_code(refused)


def test_admin_pages(client, django_user_model, db):
    staff = django_user_model.objects.create_superuser(email="staff@vf.test", password="x-long-password-1")
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_headers(response, signed_in=True)


def test_json_endpoint(client, db):
    response = client.get(reverse("healthz"))
    assert_headers(response, signed_in=False)


def test_500_template_has_no_inline_code():
    html = Path("templates/500.html").read_text()
    assert not INLINE_STYLE.search(html) and not INLINE_SCRIPT.search(html)


# --- the CSP report endpoint ---------------------------------------------------------------


REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/o/alpha/",
        "violated-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "http://testserver/o/alpha/",
        "line-number": 12,
    }
}


def test_report_is_logged(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="viralforge.csp"):
        response = client.post(reverse("csp_report"), json.dumps(REPORT), content_type="application/csp-report")
    assert response.status_code == 204
    logged = [r.getMessage() for r in caplog.records if r.name == "viralforge.csp"]
    assert len(logged) == 1 and "script-src-elem" in logged[0] and "inline" in logged[0]


def test_report_needs_post_and_a_small_json_body(client, db):
    url = reverse("csp_report")
    assert client.get(url).status_code == 405
    assert client.post(url, "x" * 9000, content_type="application/json").status_code == 413
    assert client.post(url, "{not json", content_type="application/json").status_code == 400


def test_reports_are_rate_limited_per_ip(client, db, settings):
    settings.VF_RATE_LIMIT_CSP_REPORTS = 3
    url = reverse("csp_report")
    body = json.dumps(REPORT)
    statuses = [
        client.post(url, body, content_type="application/csp-report", REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(4)
    ]
    assert statuses == [204, 204, 204, 429]
    other = client.post(url, json.dumps(REPORT), content_type="application/csp-report", REMOTE_ADDR="203.0.113.10")
    assert other.status_code == 204


# --- gunicorn (the Procfile's web server) names no server software -----------------------------


def test_gunicorn_sends_no_server_header(db):
    procfile = Path("Procfile").read_text()
    assert "--config gunicorn.conf.py" in procfile
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "viralforge.wsgi", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "-w", "1"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        assert "server" not in {name.lower() for name in response.headers}
        assert "Content-Security-Policy" in response.headers
    finally:
        process.terminate()
        process.wait(timeout=10)
