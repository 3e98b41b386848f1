"""Scheduling: due publications are queued at their slot (project time zone, core clock), claimed
once with SKIP LOCKED; a slot missed beyond the project's window is flagged; autopilot → inbox."""

from datetime import datetime, timedelta

import pytest

from apps.core import clock
from apps.jobs.models import JobRun
from apps.social.models import Publication, PublishEvent, PublishMode, PublishSettings, PublishState
from apps.social.publish.actions import claim_due_publications, do_queue_autopilot, do_save_composer, slot_moment
from tests.support.publish import DAY, choices, mp4, rendered_post
from tests.support.social import connect_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clip(tmp_path_factory):
    return mp4(tmp_path_factory.mktemp("schedule") / "clip.mp4")


def test_slot_is_in_the_projects_time_zone(org, clip, media):
    post = rendered_post(org, video=clip, slot=2)  # 13:00 in Europe/Berlin
    moment = slot_moment(post)
    assert moment.utcoffset() == timedelta(hours=1)  # March 10: winter time
    assert (moment.hour, moment.minute) == (13, 0) and moment.date() == DAY


def test_due_posts_are_queued_once_at_their_slot(org, owner, clip, media, broker):
    post = rendered_post(org, video=clip)
    account = connect_account(org)
    publication = do_save_composer(post, account, choices(), actor=owner)
    assert publication.state == PublishState.SCHEDULED
    slot = slot_moment(post)
    with clock.freeze(slot - timedelta(seconds=30)):
        assert claim_due_publications() == []
    with clock.freeze(slot + timedelta(seconds=5)):
        assert claim_due_publications() == [str(post.id)]
        assert claim_due_publications() == []  # claimed once
    publication.refresh_from_db()
    assert publication.state == PublishState.QUEUED
    assert JobRun.objects.for_org(org).filter(actor_name="publish_post").count() == 1
    event = PublishEvent.objects.for_org(org).get(publication=publication, kind="queued")
    assert event.detail["lateness_s"] == 5


def test_a_slot_missed_beyond_the_window_is_flagged(org, owner, clip, media, broker):
    post = rendered_post(org, video=clip)
    PublishSettings.objects.create(organization=org, project=post.project, catch_up_minutes=30)
    publication = do_save_composer(post, connect_account(org), choices(), actor=owner)
    with clock.freeze(slot_moment(post) + timedelta(minutes=31)):
        assert claim_due_publications() == []
    publication.refresh_from_db()
    assert publication.state == PublishState.MISSED and publication.failure["code"] == "publish.missed"
    assert not JobRun.objects.for_org(org).filter(actor_name="publish_post").exists()


def test_autopilot_goes_to_the_inbox_as_a_draft(org, clip, media):
    post = rendered_post(org, video=clip)
    PublishSettings.objects.create(organization=org, project=post.project, mode=PublishMode.DIRECT)
    publication = do_queue_autopilot(post, connect_account(org))
    assert publication.mode == PublishMode.INBOX and publication.autopilot and not publication.consent_by
    assert publication.is_aigc  # the render has a synthetic voice
    assert do_queue_autopilot(post, publication.account) is None  # once per post
    assert publication.scheduled_for == datetime(2026, 3, 10, 9, 0, tzinfo=post.project.zone)
    assert Publication.objects.for_org(org).count() == 1


def test_the_tick_makes_autopilot_posts_inbox_drafts(org, clip, media, broker):
    from apps.social.publish.actions import queue_autopilot_posts

    post = rendered_post(org, video=clip)
    post.project.autopilot = True
    post.project.save(update_fields=["autopilot"])
    account = connect_account(org)
    account.projects.add(post.project)
    with clock.freeze(datetime(2026, 3, 9, 12, 0, tzinfo=post.project.zone)):
        assert queue_autopilot_posts() == 1
        assert queue_autopilot_posts() == 0
    publication = Publication.objects.for_org(org).get(post=post)
    assert (publication.mode, publication.state, publication.autopilot) == (PublishMode.INBOX, "scheduled", True)


def test_calendar_cards_show_the_publish_state(org, owner, clip, media, broker, client_for):
    from django.urls import reverse

    from apps.social import reasons
    from apps.social.publish.actions import do_record_step

    post = rendered_post(org, video=clip)
    publication = do_save_composer(post, connect_account(org), choices(), actor=owner)
    month = reverse("project_calendar", args=[org.slug, post.project.slug, DAY.strftime("%Y-%m")])
    client = client_for(owner)
    assert '<span class="badge publish-badge publish-scheduled">Scheduled</span>' in client.get(month).content.decode()
    link = "https://www.tiktok.com/@alpenglow/video/7301"
    do_record_step(publication.id, PublishState.PUBLISHED, event="published", tiktok_post_id="7301", link=link)
    html = client.get(month).content.decode()  # the cached card is not reused: its publish state changed
    assert f'<span class="badge publish-badge publish-published" title="{link}">Published</span>' in html
    listed = client.get(month + "?view=list").content.decode()
    assert f'<a class="publish-link" href="{link}" rel="noopener noreferrer" target="_blank">' in listed
    refused = reasons.PUBLISH_REFUSED.reason(error="spam_risk_too_many_posts").as_dict()
    do_record_step(publication.id, PublishState.FAILED, event="failed", link="", failure=refused)
    owner.language = "de"
    owner.save(update_fields=["language"])
    html = client_for(owner).get(month).content.decode()
    assert "publish-badge publish-failed" in html and "Nicht veröffentlicht" in html
    assert "TikTok hat den Beitrag abgelehnt: spam_risk_too_many_posts." in html
