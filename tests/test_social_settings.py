"""The TikTok settings are read strictly: a half-configured app or a bad redirect URL stops start-up."""

import pytest

from tests.test_settings_env import _manage, _production_env


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VF_TIKTOK_CLIENT_KEY": "abc", "VF_SANDBOX_ENABLED": "false"}, "Set both VF_TIKTOK_CLIENT_KEY"),
        ({"VF_TIKTOK_REDIRECT_URL": "http://127.0.0.1:8000/social/tiktok/callback/?x=1"}, "no query"),
        ({"VF_TIKTOK_REDIRECT_URL": "ftp://example.com/cb/"}, "VF_TIKTOK_REDIRECT_URL must be a URL"),
    ],
)
def test_bad_tiktok_settings_refuse_to_start(env, message):
    result = _manage("check", **env)
    assert result.returncode != 0 and message in result.stderr


def test_production_needs_an_https_redirect_url():
    result = _manage(
        "check",
        **_production_env(
            VF_SANDBOX_ENABLED="false",
            VF_TIKTOK_CLIENT_KEY="key",
            VF_TIKTOK_CLIENT_SECRET="secret",
            VF_BASE_URL="http://app.example.com",
        ),
    )
    assert result.returncode != 0 and "VF_TIKTOK_REDIRECT_URL must be an https URL" in result.stderr
