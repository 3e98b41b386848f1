"""Accounts through allauth: sign-up with e-mail verification, login, password reset and change."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.support.accounts import PASSWORD, make_user

NEW_PASSWORD = "another-long-passphrase-77"
LINK = re.compile(r"https?://[^/\s]+(/\S+)")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth rate-limits per address in the cache; each test starts with a clean slate."""
    cache.clear()
    yield
    cache.clear()


def only_link(message) -> str:
    links = LINK.findall(message.body)
    assert len(links) == 1, message.body
    return links[0]


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_signup_sends_verification_and_confirming_lets_the_user_log_in(client, db):
    response = client.post(
        reverse("account_signup"), {"email": "New@Person.test", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="new@person.test")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@person.test"]
    confirm = only_link(mail.outbox[0])
    assert confirm.startswith("/accounts/confirm-email/")

    # not verified yet: logging in only leads back to the verification notice
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@person.test", "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)

    client.get(confirm)
    assert EmailAddress.objects.get(user=user).verified
    client.logout()
    response = client.post(reverse("account_login"), {"login": "NEW@person.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in(client)
    # no organization yet: home sends the new user to create one
    assert client.get(reverse("home"))["Location"] == reverse("org_create")


def test_signup_with_taken_address_is_refused(client, db):
    make_user("taken@person.test")
    response = client.post(
        reverse("account_signup"), {"email": "Taken@Person.test", "password1": PASSWORD, "password2": PASSWORD}
    )
    # allauth does not reveal that the account exists: it behaves as on success, but creates nothing
    assert get_user_model().objects.filter(email__iexact="taken@person.test").count() == 1
    assert response.status_code in (200, 302)
    assert all("confirm-email" not in m.body for m in mail.outbox)


def test_signup_with_weak_password_is_refused(client, db):
    data = {"email": "x@person.test", "password1": "123", "password2": "123"}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="x@person.test").exists()
    assert mail.outbox == []


def test_login_with_wrong_password_fails(client, db):
    make_user("known@person.test")
    response = client.post(reverse("account_login"), {"login": "known@person.test", "password": "wrong"})
    assert response.status_code == 200
    assert not is_logged_in(client)


def test_password_reset_by_email(client, db):
    user = make_user("forgetful@person.test")
    response = client.post(reverse("account_reset_password"), {"email": "forgetful@person.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["forgetful@person.test"]
    reset = only_link(mail.outbox[0])
    assert reset.startswith("/accounts/password/reset/key/")

    form = client.get(reset, follow=True)  # allauth moves the key out of the URL into the session
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # the link works once
    assert "password1" not in client.get(reset, follow=True).content.decode()


def test_password_reset_for_unknown_address_sends_nothing_useful(client, db):
    client.post(reverse("account_reset_password"), {"email": "nobody@person.test"})
    assert all("/password/reset/key/" not in m.body for m in mail.outbox)


def test_password_change(client_for, db):
    user = make_user("changer@person.test")
    client = client_for(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert is_logged_in(client)  # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False


def test_password_change_needs_the_old_password(client_for, db):
    user = make_user("changer@person.test")
    response = client_for(user).post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_user_model_logs_in_with_email_and_has_no_username(db):
    User = get_user_model()
    assert User.USERNAME_FIELD == "email"
    with pytest.raises(FieldDoesNotExist):
        User._meta.get_field("username")
    user = User.objects.create_user(email="Mixed@Case.TEST", password=PASSWORD)
    assert user.email == "mixed@case.test"
    assert user.display_name == "mixed@case.test"
    user.name = "Mia"
    assert user.display_name == "Mia"
    with pytest.raises(ValueError, match="email address is required"):
        User.objects.create_user(email="", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="MIXED@case.test", password=PASSWORD)


def test_create_superuser(db):
    admin = get_user_model().objects.create_superuser(email="root@person.test", password=PASSWORD)
    assert admin.is_staff and admin.is_superuser
