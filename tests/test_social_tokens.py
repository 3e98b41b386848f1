"""Token refresh: ahead of expiry, under the row lock, the rotated refresh token stored in the
same transaction; two workers at once end with one valid refresh token; invalid_grant → needs
reconnect and one e-mail to the owners. Real HTTP to the sandbox (which kills used refresh tokens)."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections, transaction

from apps.core import clock
from apps.jobs.models import JobRun
from apps.orgs.roles import Role
from apps.sandbox.faults import set_faults
from apps.sandbox.tiktok import state
from apps.social.actions import do_refresh_token, fresh_access_token
from apps.social.models import AccountStatus, OAuthToken
from apps.social.platforms import PlatformError
from apps.social.tasks import refresh_account_token, refresh_expiring_tokens
from apps.social.tiktok.client import TikTokOAuthError
from apps.social.tokens import unseal
from tests.conftest import make_member
from tests.tiktok_support import PUBLIC, api_client, connect, sandbox_services

sandbox = pytest.fixture(sandbox_services)
pytestmark = pytest.mark.usefixtures("sandbox")


@pytest.fixture
def account(sandbox, client_for, owner, org):
    state.configure(access_expires_in=3600)  # refresh margin is 30 minutes
    return connect(client_for(owner), sandbox, org)


def token_of(account) -> OAuthToken:
    return OAuthToken.objects.for_org(account.organization_id).get(account=account)


def test_refresh_only_when_expiry_is_near(sandbox, account):
    before = token_of(account)
    assert do_refresh_token(account.id).detail == "fresh"
    clock.advance(timedelta(minutes=31))
    outcome = do_refresh_token(account.id)
    after = token_of(account)
    assert outcome.refreshed and after.version == before.version + 1
    assert after.access_expires_at == after.refreshed_at + timedelta(seconds=3600)
    old, new = unseal(before), unseal(after)
    assert new.refresh_token != old.refresh_token
    with api_client(sandbox) as client:
        assert client.user_info(new.access_token)["open_id"] == PUBLIC
        with pytest.raises(TikTokOAuthError) as dead:
            client.refresh(old.refresh_token)
        assert dead.value.error == "invalid_grant"
    assert state.counts()["token_refresh:200"] == 1


def test_two_workers_refreshing_at_once_end_with_one_valid_refresh_token(sandbox, account):
    old = unseal(token_of(account))
    clock.advance(timedelta(minutes=31))
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait()
            outcomes.append(do_refresh_token(account.id))
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(o.detail for o in outcomes) == ["fresh", "refreshed"]  # the second waited on the lock
    assert state.counts()["token_refresh:200"] == 1 and "token_refresh:400" not in state.counts()
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED
    stored = unseal(token_of(account))
    with api_client(sandbox) as client:
        with pytest.raises(TikTokOAuthError):
            client.refresh(old.refresh_token)  # the sandbox rejects the dead one
    # ... and the stored one is the live one: the next refresh works and the account stays connected.
    assert do_refresh_token(account.id, force=True).refreshed
    assert unseal(token_of(account)).refresh_token != stored.refresh_token
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED


def test_refresh_refuses_to_run_inside_a_callers_transaction(sandbox, account):
    """A rollback after the platform rotated the refresh token would lose the account."""
    with pytest.raises(RuntimeError), transaction.atomic():
        do_refresh_token(account.id, force=True)
    assert "token_refresh" not in state.counts()


def test_a_worker_that_saw_an_older_version_does_nothing(sandbox, account):
    seen = token_of(account).version
    assert do_refresh_token(account.id, force=True, seen_version=seen).refreshed
    assert do_refresh_token(account.id, force=True, seen_version=seen).detail == "refreshed_meanwhile"
    assert state.counts()["token_refresh:200"] == 1


def test_invalid_grant_marks_needs_reconnect_and_emails_the_owners_once(sandbox, account, org, owner, admin_user):
    second_owner = make_member(org, "owner2@alpha.test", Role.OWNER)
    second_owner.language = "de"
    second_owner.save(update_fields=["language"])
    mail.outbox.clear()
    set_faults("tiktok", rates={"invalid_grant": 1})
    clock.advance(timedelta(minutes=31))
    assert do_refresh_token(account.id).detail == "rejected"
    assert do_refresh_token(account.id, force=True).detail == "not_connected"
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT
    assert account.status_reason["code"] == "social.refresh_rejected"
    assert sorted(m.to[0] for m in mail.outbox) == ["owner2@alpha.test", "owner@alpha.test"]
    german = next(m for m in mail.outbox if m.to == ["owner2@alpha.test"])
    assert "erneut" in german.subject and "/o/alpha/accounts/" in german.body
    assert token_of(account).payload  # kept: a reconnect replaces it; nothing else may use it
    with pytest.raises(PlatformError) as needs:
        fresh_access_token(account)
    assert needs.value.reconnect


def test_a_refresh_token_past_its_expiry_is_not_even_tried(sandbox, client_for, owner, org):
    state.configure(access_expires_in=3600, refresh_expires_in=7200)
    account = connect(client_for(owner), sandbox, org)
    clock.advance(timedelta(hours=3))
    assert do_refresh_token(account.id).detail == "rejected"
    assert "token_refresh" not in state.counts()
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT


def test_a_transient_failure_changes_nothing_and_can_be_retried(sandbox, account):
    before = token_of(account)
    set_faults("tiktok", rates={"temporarily_unavailable": 1})
    clock.advance(timedelta(minutes=31))
    with pytest.raises(PlatformError) as failed:
        do_refresh_token(account.id)
    assert failed.value.retryable and not failed.value.reconnect
    after = token_of(account)
    assert (after.version, after.payload) == (before.version, before.payload)
    set_faults("tiktok", rates={})
    assert refresh_account_token(str(account.id)) == "refreshed"  # the job's retry


def test_fresh_access_token_refreshes_first_when_due(sandbox, account):
    first = fresh_access_token(account)
    assert first == unseal(token_of(account)).access_token and "token_refresh" not in state.counts()
    clock.advance(timedelta(minutes=45))
    second = fresh_access_token(account)
    assert second != first and state.counts()["token_refresh:200"] == 1
    with api_client(sandbox) as client:
        assert client.user_info(second)["open_id"] == PUBLIC


def test_the_periodic_sweep_queues_only_due_accounts(sandbox, account, broker):
    assert refresh_expiring_tokens() == 0
    clock.advance(timedelta(minutes=31))
    assert refresh_expiring_tokens() == 1
    job = JobRun.objects.for_org(account.organization_id).get()
    assert job.payload == {"account_id": str(account.id)} and job.actor_name == "refresh_account_token"


def test_a_rejected_access_token_is_refreshed_once_and_the_call_retried(sandbox, account):
    from apps.social.actions import with_access_token
    from apps.social.tokens import seal

    token = token_of(account)
    refresh = unseal(token).refresh_token
    # The platform dropped the access token early (our expiry still says it is good).
    token.payload, token.key_id = seal("act.dropped-by-the-platform", refresh)
    token.save(update_fields=["payload", "key_id"])
    before = state.counts()["user_info:200"]  # the connection asked once
    with api_client(sandbox) as client:
        user = with_access_token(account, client.user_info)
    assert user["open_id"] == PUBLIC and state.counts()["token_refresh:200"] == 1
    assert state.counts()["user_info:401"] == 1 and state.counts()["user_info:200"] == before + 1
    assert token_of(account).version == token.version + 1


def test_workers_rejected_with_one_token_rotate_it_once(sandbox, account):
    """Two workers hold the same access token, which the platform dropped early. The first one's call
    is rejected, it refreshes and retries; the second one's rejection arrives after that refresh. It
    must take the first one's new token, not rotate again (each rotation kills the refresh token the
    other workers may be holding, and with many workers they kept rotating one after the other)."""
    from apps.social.actions import with_access_token
    from apps.social.tokens import seal

    token = token_of(account)
    token.payload, token.key_id = seal("act.dropped-by-the-platform", unseal(token).refresh_token)
    token.save(update_fields=["payload", "key_id"])
    second_holds_token, first_done = threading.Event(), threading.Event()
    answers, errors = {}, []

    def first():
        try:
            second_holds_token.wait(30)
            with api_client(sandbox) as client:
                answers["first"] = with_access_token(account, client.user_info)
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)
        finally:
            first_done.set()
            connections.close_all()

    def second():
        def late_call(access_token):
            if not second_holds_token.is_set():  # its first call: rejected only after the first worker is done
                second_holds_token.set()
                first_done.wait(30)
            with api_client(sandbox) as client:
                return client.user_info(access_token)

        try:
            answers["second"] = with_access_token(account, late_call)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert answers["first"]["open_id"] == answers["second"]["open_id"] == PUBLIC
    assert state.counts()["user_info:401"] == 2  # both were rejected once ...
    assert state.counts()["token_refresh:200"] == 1 and "token_refresh:400" not in state.counts()  # ... one rotation
    assert token_of(account).version == token.version + 1
