"""Issue 16, items 2–3: German everywhere with "Sie", mails signed ViralForge, no double period
after a time, languages named in themselves, percentages and dates written the viewer's way."""

import re

import pytest
from django.core import mail
from django.template import Context, Template
from django.utils import translation

from apps.jobs.models import JobRun

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


@pytest.mark.parametrize("language", ["en", "de"])
def test_signup_mail_names_viralforge_and_says_sie(client, language):
    client.cookies["django_language"] = language
    client.post(
        "/accounts/signup/",
        {"email": f"new-{language}@agency.test", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    message = mail.outbox[-1]
    assert message.subject.startswith("[ViralForge] ")
    assert "127.0.0.1" not in message.subject and "testserver" not in message.subject
    assert "ViralForge" in message.body and "Hello from testserver" not in message.body
    if language == "de":
        assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in message.subject
        assert not re.search(r"\b(du|dich|dein\w*)\b", message.subject + message.body, re.IGNORECASE)


@pytest.mark.parametrize("language", ["en", "de"])
def test_invitation_mail_has_no_double_period(client_for, org, owner, language, django_capture_on_commit_callbacks):
    owner.language = language
    owner.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).post(f"/o/{org.slug}/members/invite/", {"email": "guest@agency.test", "role": "editor"})
    body = mail.outbox[-1].body
    assert ".." not in body.replace("...", "")
    assert not re.search(r"\b[ap]\.m\.\.", body)


def test_language_switcher_names_each_language_in_itself(client_for, org, owner):
    for language in ("en", "de"):
        owner.language = language
        owner.save(update_fields=["language"])
        html = client_for(owner).get(f"/o/{org.slug}/").content.decode()
        switcher = html[html.index('id="language-switcher"') :]
        switcher = switcher[: switcher.index("</select>")]
        assert re.search(r'lang="de"[^>]*>Deutsch<', switcher) and re.search(r'lang="en"[^>]*>English<', switcher)
        assert "Englisch" not in switcher and "German" not in switcher


def test_percentages_and_job_kinds_follow_the_language():
    template = Template("{% load numbers %}{{ 65|percent }}|{{ 12.5|percent:1 }}")
    with translation.override("en"):
        assert template.render(Context()) == "65%|12.5%"
    with translation.override("de"):
        assert template.render(Context()) == "65\u00a0%|12,5\u00a0%"
        assert JobRun(kind="generate_month_plan").kind_label == "Monatsplan erstellen"


def test_every_actor_has_a_job_label():
    import dramatiq
    from django.utils.module_loading import autodiscover_modules

    from apps.jobs import kinds

    autodiscover_modules("tasks")  # what the worker imports (django_dramatiq)
    broker = dramatiq.get_broker()
    actors = {name for name in broker.get_declared_actors() if broker.get_actor(name).fn.__module__.startswith("apps.")}
    assert {"generate_month_plan", "reembed_knowledge"} <= actors
    assert actors <= set(kinds.registered()), actors - set(kinds.registered())
