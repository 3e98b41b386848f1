"""Settings for the test suite: the real settings, pointed at a private test namespace."""

import os

os.environ.setdefault("VF_ENV", "test")
_run = os.environ.get("VF_TEST_RUN", "")
os.environ.setdefault("VF_REDIS_NAMESPACE", f"viralforge-test{_run}")
os.environ.setdefault("VF_JOB_MIN_BACKOFF_MS", "20")
os.environ.setdefault("VF_JOB_MAX_BACKOFF_MS", "200")
os.environ.setdefault("VF_JOB_MAX_RETRIES", "2")
os.environ.setdefault("VF_EMAIL_VERIFICATION", "mandatory")

from viralforge.settings import *  # noqa: E402, F403
from viralforge.settings import CACHES, DATABASES  # noqa: E402

DATABASES["default"]["TEST"] = {"NAME": f"test_viralforge{_run}"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The cache gets its own Redis database so clearing it between tests (tests/conftest.py) never
# touches the job queues, heartbeats or rate-limit windows in database 0.
_cache_url = CACHES["default"]["LOCATION"]
if _cache_url.startswith("unix://"):
    CACHES["default"]["LOCATION"] = _cache_url + ("&" if "?" in _cache_url else "?") + "db=1"
else:  # redis://host:port[/n] → redis://host:port/1
    CACHES["default"]["LOCATION"] = (
        _cache_url.split("://", 1)[0] + "://" + _cache_url.split("://", 1)[1].split("/", 1)[0] + "/1"
    )
