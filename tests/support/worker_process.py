"""A real Dramatiq worker in its own process on this test run's database and Redis namespace, which
a test can SIGKILL (its whole process group) and start again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection


def _database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgresql://{db.get('USER') or 'postgres'}:@/{db['NAME']}?host={quote(host)}"
    password = quote(db.get("PASSWORD") or "")
    return f"postgresql://{db.get('USER')}:{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def start_worker(queues=("publish",), log=None, **env) -> subprocess.Popen:
    """`manage.py rundramatiq` (one process, one thread) with the test run's settings; `env` adds variables,
    `log` an open file for its output."""
    variables = (
        dict(os.environ)
        | {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "VF_TIKTOK_API_BASE_URL": settings.VF_TIKTOK_API_BASE_URL,
            "VF_TIKTOK_CLIENT_KEY": settings.VF_TIKTOK_CLIENT_KEY,
            "VF_TIKTOK_CLIENT_SECRET": settings.VF_TIKTOK_CLIENT_SECRET,
            "VF_REDIS_NAMESPACE": settings.VF_REDIS_NAMESPACE,
            "PYTHONUNBUFFERED": "1",
        }
        | {name: str(value) for name, value in env.items()}
    )
    variables.pop("PYTEST_XDIST_WORKER", None)  # the namespace is passed as it is
    return subprocess.Popen(
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1", "--queues", *queues],
        cwd=settings.BASE_DIR, env=variables, start_new_session=True,
        stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL,
    )  # fmt: skip


def start_media_worker(**env) -> subprocess.Popen:
    """`tests/support/clip_worker.py` (the `media` queue) on this test's database, with `env` added to the
    environment; returned once it consumes. Kill it with `os.kill(process.pid, signal.SIGKILL)`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.clip_worker", connection.settings_dict["NAME"]],
        cwd=settings.BASE_DIR, env=os.environ | {name: str(value) for name, value in env.items()},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    if process.stdout.readline().strip() != "ready":
        process.kill()
        process.wait(timeout=10)
        pytest.fail("the media worker did not start")
    return process


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its children: no cleanup code runs."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def wait_until(check, *, timeout: float = 60, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            from apps.jobs.models import JobRun

            runs = list(JobRun.objects.unscoped().values_list("actor_name", "status", "attempts", "last_error"))
            pytest.fail(f"timed out waiting for {what or check}; jobs: {runs}")
        time.sleep(0.05)
