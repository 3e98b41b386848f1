"""pytest-xdist workers never share state: each gets its own Redis namespace and cache database
(tests/settings.py); pytest-django gives each its own test database (`…_gw0`, `…_gw1`)."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.db import connection

PROBE = (
    "import json, tests.settings as s; "
    "print(json.dumps([s.VF_REDIS_NAMESPACE, s.CACHES['default']['LOCATION'], "
    "s.DRAMATIQ_BROKER['OPTIONS']['namespace'], s.DATABASES['default']['TEST']['NAME']]))"
)


def test_settings(worker: str | None, namespace: str = "viralforge-test_probe") -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env |= {
        "DATABASE_URL": "postgres://nobody@localhost/none",  # parsed, never connected
        "REDIS_URL": "redis://localhost:1/0",
        "VF_REDIS_NAMESPACE": namespace,  # what the controlling process hands down
        "VF_TEST_RUN": "_probe",
    }
    if worker:
        env["PYTEST_XDIST_WORKER"] = worker
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


test_settings.__test__ = False  # a helper, despite its name


def test_each_worker_has_its_own_redis_namespace_and_cache_database():
    alone, gw0, gw1 = test_settings(None), test_settings("gw0"), test_settings("gw1")
    assert alone == [
        "viralforge-test_probe",
        "redis://localhost:1/1",
        "viralforge-test_probe-dramatiq",
        "test_viralforge_probe",
    ]
    assert gw0[:3] == ["viralforge-test_probe_gw0", "redis://localhost:1/1", "viralforge-test_probe_gw0-dramatiq"]
    assert gw1[:3] == ["viralforge-test_probe_gw1", "redis://localhost:1/2", "viralforge-test_probe_gw1-dramatiq"]
    # pytest-django appends the worker to the test database's name itself.
    assert gw0[3] == gw1[3] == "test_viralforge_probe"


def test_a_worker_does_not_suffix_twice():
    assert test_settings("gw1", namespace="viralforge-test_probe_gw1")[0] == "viralforge-test_probe_gw1"


def test_this_run_is_isolated(db):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    assert connection.settings_dict["NAME"].startswith("test_viralforge")
    if worker:  # under xdist: this worker's own namespace and database
        assert settings.VF_REDIS_NAMESPACE.endswith(f"_{worker}")
        assert connection.settings_dict["NAME"].endswith(f"_{worker}")
