"""Settings from the environment: strict helpers, production refuses to start half-configured."""

import os
import secrets
import string
import subprocess
import sys
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from viralforge.env import env_bool, env_choice, env_int, env_list, env_str, env_url

VAR = "VF_TEST_SETTING"


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), (" yes ", True), ("off", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, not expected) is expected


def test_env_bool_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR, True) is True
    monkeypatch.setenv(VAR, "  ")
    assert env_bool(VAR, False) is False


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv(VAR, "maybe")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be a boolean.*'maybe'"):
        env_bool(VAR, False)


def test_env_int(monkeypatch):
    monkeypatch.setenv(VAR, " 42 ")
    assert env_int(VAR, 1) == 42
    monkeypatch.setenv(VAR, "4x2")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be an integer.*'4x2'"):
        env_int(VAR, 1)
    monkeypatch.setenv(VAR, "0")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be at least 1, got 0"):
        env_int(VAR, 5, minimum=1)
    monkeypatch.delenv(VAR)
    assert env_int(VAR, 5, minimum=1) == 5


def test_env_choice(monkeypatch):
    monkeypatch.setenv(VAR, "b")
    assert env_choice(VAR, "a", ("a", "b")) == "b"
    monkeypatch.setenv(VAR, "B")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be one of a, b, got 'B'"):
        env_choice(VAR, "a", ("a", "b"))
    monkeypatch.delenv(VAR)
    assert env_choice(VAR, "a", ("a", "b")) == "a"


def test_env_url(monkeypatch):
    monkeypatch.setenv(VAR, "postgres://u@h/db")
    assert env_url(VAR, schemes=("postgres",)) == "postgres://u@h/db"
    for bad in ("mysql://u@h/db", "h/db", "postgres:/h"):
        monkeypatch.setenv(VAR, bad)
        with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be a URL starting with one of postgres://"):
            env_url(VAR, schemes=("postgres",))
    monkeypatch.delenv(VAR)
    assert env_url(VAR, "fallback", schemes=("postgres",)) == "fallback"


def test_env_url_message_does_not_echo_the_value(monkeypatch):
    """A mistyped URL may contain a password: the error names the variable, not the value."""
    monkeypatch.setenv(VAR, "mysql://user:s3cret-pw@h/db")
    with pytest.raises(ImproperlyConfigured) as error:
        env_url(VAR, schemes=("postgres",))
    assert "s3cret-pw" not in str(error.value)


def test_env_str_required(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} is required"):
        env_str(VAR)
    assert env_str(VAR, "x") == "x"
    monkeypatch.setenv(VAR, " value ")
    assert env_str(VAR) == "value"


def test_env_list(monkeypatch):
    monkeypatch.setenv(VAR, "a.example, b.example,,")
    assert env_list(VAR, []) == ["a.example", "b.example"]
    monkeypatch.delenv(VAR)
    default = ["x"]
    result = env_list(VAR, default)
    assert result == ["x"] and result is not default


# --- the real settings module in a fresh process ---------------------------------------------

_OURS = (
    "VF_",
    "DJANGO_",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_",
    "SECURE_",
    "LOG_LEVEL",
    "CSRF_",
)


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env["DJANGO_SETTINGS_MODULE"] = "viralforge.settings"
    env.update(extra)
    return env


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host", "")
    auth = quote(db["USER"]) + (":" + quote(db["PASSWORD"]) if db.get("PASSWORD") else "")
    if host.startswith("/"):
        return f"postgresql://{auth}@/{db['NAME']}?host={quote(host)}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}@{host}{port}/{db['NAME']}"


def _production_env(**overrides) -> dict:
    alphabet = string.ascii_letters + string.digits + string.punctuation.replace("$", "").replace("'", "")
    env = {
        "VF_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "VF_FERNET_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "app.example.com",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", **_production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when VF_ENV=production" in result.stderr


@pytest.mark.parametrize("missing", ["VF_FERNET_KEYS", "DATABASE_URL", "REDIS_URL"])
def test_production_without_required_variable_refuses_to_start(missing):
    result = _manage("check", **_production_env(**{missing: None}))
    assert result.returncode != 0
    assert f"{missing} must be set when VF_ENV=production" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("DEBUG", "maybe"), ("VF_ENV", "staging"), ("DATABASE_URL", "mysql://x/y"), ("EMAIL_PORT", "x")]
)
def test_bad_value_names_the_variable(name, value):
    result = _manage("check", **_production_env(**{name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Environment variable {name} must be" in result.stderr


def test_production_with_debug_refuses_to_start():
    result = _manage("check", **_production_env(DEBUG="true"))
    assert result.returncode != 0
    assert "DEBUG must be false when VF_ENV=production" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", **_production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_warns_about_a_weak_secret_key():
    """The clean run above means something: a short key is flagged by the same command."""
    result = _manage("check", "--deploy", **_production_env(SECRET_KEY="too-short"))
    assert "security.W009" in result.stdout + result.stderr
