"""Settings for the test suite: the real settings, pointed at a private test namespace."""

import os

os.environ.setdefault("VF_ENV", "test")
# One test database and Redis namespace per run (VF_TEST_RUN) and per pytest-xdist worker ("gw0", "gw1", …).
# Workers inherit the environment of the controlling process, which has set the run's namespace already.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_namespace = os.environ.get("VF_REDIS_NAMESPACE") or f"viralforge-test{os.environ.get('VF_TEST_RUN', '')}"
if _worker and not _namespace.endswith(f"_{_worker}"):
    _namespace += f"_{_worker}"
os.environ["VF_REDIS_NAMESPACE"] = _namespace
os.environ.setdefault("VF_JOB_MIN_BACKOFF_MS", "20")
os.environ.setdefault("VF_JOB_MAX_BACKOFF_MS", "200")
os.environ.setdefault("VF_JOB_MAX_RETRIES", "2")
os.environ.setdefault("VF_EMAIL_VERIFICATION", "mandatory")

from viralforge.settings import *  # noqa: E402, F403
from viralforge.settings import CACHES, DATABASES  # noqa: E402

# pytest-django adds the worker suffix to this name itself under xdist.
DATABASES["default"]["TEST"] = {"NAME": f"test_viralforge{os.environ.get('VF_TEST_RUN', '')}"}
# A commit need not wait for its WAL to reach the disk: a test database is thrown away, and transactional
# tests, migrations and the worker's jobs commit often (5–7 ms each on this machine's disk, 0.4 ms without).
_pg_options = DATABASES["default"].setdefault("OPTIONS", {})
_pg_options["options"] = (_pg_options.get("options", "") + " -c synchronous_commit=off").strip()
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The cache gets its own Redis database so clearing it between tests (tests/conftest.py) never
# touches the job queues, heartbeats or rate-limit windows in database 0; each xdist worker its own
# (gw0 → 1, gw1 → 2, …), as clearing empties the whole database.
_cache_db = 1 + (int(_worker[2:]) if _worker[2:].isdigit() else 0) % 15
_cache_url = CACHES["default"]["LOCATION"]
if _cache_url.startswith("unix://"):
    CACHES["default"]["LOCATION"] = _cache_url + ("&" if "?" in _cache_url else "?") + f"db={_cache_db}"
else:  # redis://host:port[/n] → redis://host:port/<cache db>
    CACHES["default"]["LOCATION"] = (
        _cache_url.split("://", 1)[0] + "://" + _cache_url.split("://", 1)[1].split("/", 1)[0] + f"/{_cache_db}"
    )
