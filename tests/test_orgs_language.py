"""The language switch: saved on the user, so every later page is in that language."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.support.accounts import make_user

URL = "/language/"
GERMAN_CATALOG = settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.mo"


def members(org):
    return reverse("org_members", args=[org.slug])


def test_switch_to_german_is_saved_and_the_next_page_is_german(client_for, org, owner):
    client = client_for(owner)
    response = client.post(URL, {"language": "de", "next": members(org)})
    assert response.status_code == 302
    assert response["Location"] == members(org)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    owner.refresh_from_db()
    assert owner.language == "de"

    page = client.get(members(org))
    assert page.status_code == 200
    assert page["Content-Language"] == "de"
    html = page.content.decode()
    assert '<html lang="de">' in html
    if GERMAN_CATALOG.exists():  # compiled by `make messages`; *.mo files are not in git
        assert "Mitglieder" in html


def test_saved_language_wins_over_browser_and_cookie(client, org, owner):
    owner.language = "de"
    owner.save()
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(members(org), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "de"


def test_switch_back_to_english(client_for, org, owner):
    owner.language = "de"
    owner.save()
    client = client_for(owner)
    client.post(URL, {"language": "en", "next": members(org)})
    owner.refresh_from_db()
    assert owner.language == "en"
    page = client.get(members(org))
    assert page["Content-Language"] == "en"
    assert "<h1>Members</h1>" in page.content.decode()


def test_unknown_language_changes_nothing(client_for, org, owner):
    client = client_for(owner)
    response = client.post(URL, {"language": "xx", "next": members(org)})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    owner.refresh_from_db()
    assert owner.language == ""


def test_foreign_next_url_is_ignored(client_for, org, owner):
    response = client_for(owner).post(URL, {"language": "de", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_anonymous_switch_sets_only_the_cookie(client, db):
    response = client.post(URL, {"language": "de", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get("/accounts/login/")
    assert page["Content-Language"] == "de"


def test_signup_in_german_saves_german(client, db):
    client.post(URL, {"language": "de"})
    password = "a-fresh-long-passphrase-42"
    client.post("/accounts/signup/", {"email": "neu@person.test", "password1": password, "password2": password})
    assert get_user_model().objects.get(email="neu@person.test").language == "de"


def test_language_does_not_leak_to_other_users(client, org, owner, editor):
    owner.language = "de"
    owner.save()
    client.force_login(owner)
    assert client.get(members(org))["Content-Language"] == "de"
    other = make_user("plain@alpha.test")
    client.force_login(other)
    page = client.get("/orgs/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "en"
