"""Sign-in limits: guessing from one IP gets that IP 429, never the account's owner elsewhere."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts import login_limits
from apps.accounts.client_ip import client_ip
from apps.core import clock
from tests.support.accounts import PASSWORD, make_user

ATTACKER, OWNER_IP = "198.51.100.7", "192.0.2.44"


@pytest.fixture
def victim(db):
    return make_user("victim@alpha.test")


@pytest.fixture(autouse=True)
def _forget_ips():
    yield from _reset()


def _reset():
    _clear()
    yield
    _clear()


def _clear():
    for ip in (ATTACKER, OWNER_IP, "203.0.113.5", "10.0.0.1"):
        login_limits.reset(ip)


def sign_in(email: str, password: str, ip: str, **headers):
    client = Client(REMOTE_ADDR=ip, **headers)
    return client, client.post(reverse("account_login"), {"login": email, "password": password})


def test_twenty_wrong_passwords_block_the_ip_not_the_owner(victim):
    statuses = [sign_in(victim.email, f"wrong-{n}", ATTACKER)[1].status_code for n in range(20)]
    # Ten failures are answered as failures (the form again); from then on the IP gets 429.
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}
    blocked = sign_in(victim.email, PASSWORD, ATTACKER)[1]
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) >= 55
    # The real owner, from another IP, signs in at once.
    client, response = sign_in(victim.email, PASSWORD, OWNER_IP)
    assert response.status_code == 302
    assert client.get(reverse("account_email")).status_code == 200


def test_the_ip_block_lasts_at_least_a_minute(victim, settings):
    for n in range(10):
        sign_in(victim.email, f"wrong-{n}", ATTACKER)
    assert sign_in("someone@else.test", "whatever-1", ATTACKER)[1].status_code == 429
    assert 55 <= login_limits.ip_blocked_seconds(Client(REMOTE_ADDR=ATTACKER).get("/").wsgi_request) <= 60


def test_failures_for_one_account_lock_only_that_ip_and_account_pair(victim, settings):
    other = make_user("other@alpha.test")
    for n in range(settings.VF_LOGIN_PAIR_FAILURES):
        assert sign_in(victim.email, f"wrong-{n}", ATTACKER)[1].status_code == 200
    # Even the right password fails from this IP for this account …
    _, response = sign_in(victim.email, PASSWORD, ATTACKER)
    assert response.status_code == 200 and "Too many failed login attempts" in response.content.decode()
    # … but another account from the same IP, and this account from another IP, still sign in.
    assert sign_in(other.email, PASSWORD, ATTACKER)[1].status_code == 302
    assert sign_in(victim.email, PASSWORD, OWNER_IP)[1].status_code == 302


def test_the_pair_lock_expires(victim, settings):
    settings.VF_LOGIN_PAIR_WINDOW_SECONDS = 4  # the failures must fit in it even on a busy machine
    for n in range(settings.VF_LOGIN_PAIR_FAILURES):
        sign_in(victim.email, f"wrong-{n}", ATTACKER)
    assert sign_in(victim.email, PASSWORD, ATTACKER)[1].status_code == 200
    clock.sleep(4.2)
    assert sign_in(victim.email, PASSWORD, ATTACKER)[1].status_code == 302


def test_successful_sign_ins_do_not_count(victim):
    for _ in range(12):
        client, response = sign_in(victim.email, PASSWORD, ATTACKER)
        assert response.status_code == 302


# --- the client IP --------------------------------------------------------------------------


def request_with(**meta):
    return Client(**meta).get("/").wsgi_request


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(settings):
    settings.VF_TRUSTED_PROXY_COUNT, settings.VF_TRUSTED_CLIENT_IP_HEADER = 0, ""
    request = request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5", HTTP_X_REAL_IP="203.0.113.6")
    assert client_ip(request) == "10.0.0.1"


def test_trusted_proxy_count_picks_the_entry_the_proxies_appended(settings):
    settings.VF_TRUSTED_PROXY_COUNT = 1
    request = request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"  # the spoofed left entry is not trusted
    settings.VF_TRUSTED_PROXY_COUNT = 2
    request = request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2")
    assert client_ip(request) == "203.0.113.5"
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="garbage")) == "10.0.0.1"


def test_trusted_client_ip_header(settings):
    settings.VF_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.5")) == "203.0.113.5"
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


def test_behind_a_proxy_each_client_has_its_own_bucket(victim, settings):
    settings.VF_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(10):
        sign_in(victim.email, f"wrong-{n}", proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert sign_in(victim.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ATTACKER)[1].status_code == 429
    assert sign_in(victim.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OWNER_IP)[1].status_code == 302


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VF_TRUSTED_PROXY_COUNT": "two"}, "VF_TRUSTED_PROXY_COUNT"),
        ({"VF_TRUSTED_PROXY_COUNT": "-1"}, "VF_TRUSTED_PROXY_COUNT"),
        ({"VF_TRUSTED_CLIENT_IP_HEADER": "X Real IP"}, "VF_TRUSTED_CLIENT_IP_HEADER"),
        ({"VF_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP", "VF_TRUSTED_PROXY_COUNT": "1"}, "not both"),
    ],
)
def test_bad_proxy_settings_stop_start_up(env, message):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import viralforge.settings"],
        env={**os.environ, **env, "VF_ENV": "development"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and message in result.stderr
