"""The embedded Postgres and Redis: started once, shared, safe when two processes start them together."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from viralforge import embedded
from viralforge.secrets import development_secret

ROOT = Path(__file__).resolve().parent.parent
START_BOTH = """
import json, sys
from pathlib import Path
from viralforge import embedded
var = Path(sys.argv[1])
pg, redis_url = embedded.start(var)
print(json.dumps({"pg": pg, "redis": redis_url}))
"""


@pytest.fixture
def fresh_var(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    yield var
    embedded.stop_all(var)


def test_two_processes_starting_at_once_share_one_server(fresh_var):
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", START_BOTH, str(fresh_var)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    urls = [json.loads(p.communicate(timeout=120)[0]) for p in starters]
    assert all(p.returncode == 0 for p in starters)
    assert urls[0] == urls[1]
    postmasters = (fresh_var / "pg" / "postmaster.pid").read_text().splitlines()
    assert postmasters and postmasters[0].isdigit()

    import psycopg
    import redis

    with psycopg.connect(urls[0]["pg"].replace("postgresql+psycopg", "postgresql")) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == "viralforge"
    client = redis.Redis.from_url(urls[0]["redis"])
    assert client.ping()

    # A third start finds both running and starts nothing new; the settings' addresses are the same.
    pid = postmasters[0]
    assert embedded.start(fresh_var) == [urls[0]["pg"], urls[0]["redis"]]
    assert (fresh_var / "pg" / "postmaster.pid").read_text().splitlines()[0] == pid
    assert embedded.postgres_url(fresh_var) == urls[0]["pg"]
    assert embedded.redis_url(fresh_var) == urls[0]["redis"]

    assert set(embedded.stop_all(fresh_var)) == {"redis", "postgres"}
    with pytest.raises(redis.ConnectionError):
        client.ping()


def test_development_secret_is_generated_once(tmp_path):
    first = development_secret(tmp_path, "secret_key")
    assert len(first) >= 50
    assert development_secret(tmp_path, "secret_key") == first
    fernet = development_secret(tmp_path, "fernet_key")
    from cryptography.fernet import Fernet

    Fernet(fernet.encode())  # a usable key, not just random text
    assert (tmp_path / "secrets" / "secret_key").stat().st_mode & 0o077 == 0


def test_importing_the_settings_starts_nothing(tmp_path):
    """A `manage.py` call (settings imported) must not start Postgres or Redis."""
    var = tmp_path / "var"
    code = "import django; django.setup(); from django.conf import settings; print(settings.REDIS_URL)"
    env = {"VF_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "viralforge.settings", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"unix://{var}/redis/redis.sock"
    assert not (var / "pg").exists() and not (var / "redis").exists()


def test_services_stop_says_nothing_ran_when_nothing_ran(settings, tmp_path):
    """Issue 16 (11): `make stop` with nothing running does not claim it stopped something."""
    from io import StringIO

    from django.core.management import call_command

    settings.VAR_DIR = tmp_path  # an empty var/: no pid files, nothing of the test's own services
    out = StringIO()
    call_command("services", "stop", stdout=out)
    assert out.getvalue().strip() == "Nothing was running."
