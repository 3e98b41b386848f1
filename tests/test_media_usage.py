"""Licence gates: blockers(post), assert_usable for the renderer, recorded asset uses, expiry warnings and e-mail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from apps.core.reasons import render_all
from apps.media import actions
from apps.media.models import AssetKind, AssetUse
from apps.media.tasks import notify_expiring_assets
from apps.media.usage import AssetNotUsable, assert_usable, blockers, licence_today
from tests.support.media import make_post_in

pytest_plugins = ["tests.media_fixtures"]  # its fixtures: samples, media_root, storage_backend
pytestmark = pytest.mark.django_db


@pytest.fixture
def post(org):
    return make_post_in(org)


@pytest.fixture
def image(media_root, samples, org):
    return actions.do_add_asset_file(org, samples["png"], filename="sunrise.png", kind=AssetKind.IMAGE)


@pytest.fixture
def music(media_root, samples, org):
    return actions.do_add_asset_file(org, samples["music"], filename="theme.mp3", kind=AssetKind.MUSIC)


def _licence(asset, licence_type="stock", days=None):
    until = licence_today() + timedelta(days=days) if days is not None else None
    return actions.do_update_asset(
        asset, name=asset.name, project=asset.project, tags=asset.tags, licence_type=licence_type, licensed_until=until
    )


def test_expired_asset_blocks_the_post_and_the_renderer(post, image, music):
    _licence(image, days=-1)
    _licence(music, days=30)
    actions.record_render_assets(post, [image, music])
    reasons = blockers(post)
    assert [reason["code"] for reason in reasons] == ["media.asset_expired"]
    assert reasons[0]["params"] == {"asset": "sunrise.png", "date": (licence_today() - timedelta(days=1)).isoformat()}
    with translation.override("de"):
        assert "Die Lizenz von „sunrise.png“ ist am" in render_all(reasons)
    with pytest.raises(AssetNotUsable) as refused:
        assert_usable([music, image])
    assert [reason.code for reason in refused.value.reasons] == ["media.asset_expired"]
    assert "expired on" in str(refused.value)
    assert_usable([music])  # a valid licence passes


def test_licence_ends_at_the_end_of_its_last_day(post, image):
    _licence(image, days=0)
    actions.record_render_assets(post, [image])
    assert blockers(post) == []
    assert_usable([image])


def test_missing_licence_blocks_only_where_the_organization_requires_one(post, image, org):
    actions.record_render_assets(post, [image])
    assert blockers(post) == []
    actions.do_set_media_policy(org, require_licence=True)
    assert [reason["code"] for reason in blockers(post)] == ["media.asset_unlicensed"]
    with pytest.raises(AssetNotUsable):
        assert_usable([image])
    _licence(image, "own")
    assert blockers(post) == []


def test_render_records_its_assets_once(post, image, music, samples, org):
    render = actions.do_add_asset_file(
        org, samples["clip"], filename="render.mp4", kind=AssetKind.RENDER, post=post, source="render"
    )
    actions.record_render_assets(render, [image, music])
    actions.record_render_assets(render, [image, music])  # a retried job records nothing new
    uses = AssetUse.objects.for_org(org).filter(render=render)
    assert {use.asset_id for use in uses} == {image.id, music.id} and uses.count() == 2
    assert {use.post_id for use in uses} == {post.id}
    _licence(music, days=-3)
    assert [reason["code"] for reason in blockers(post)] == ["media.asset_expired"]


def test_assets_of_another_organization_cannot_be_recorded(post, media_root, samples, other_org):
    foreign = actions.do_add_asset_file(other_org, samples["png"], filename="x.png", kind=AssetKind.IMAGE)
    with pytest.raises(ValueError):
        actions.record_render_assets(post, [foreign])


def test_daily_job_mails_admins_once_per_licence_date(image, music, org, owner, admin_user, editor):
    _licence(image, days=10)
    _licence(music, days=40)  # outside the window
    admin_user.language = "de"
    admin_user.save()
    assert notify_expiring_assets() == 2  # one mail per language (owner: English, admin: German)
    english = next(m for m in mail.outbox if owner.email in m.to)
    german = next(m for m in mail.outbox if admin_user.email in m.to)
    assert "sunrise.png" in english.body and "theme.mp3" not in english.body and editor.email not in english.to
    assert "licences that expire soon" in english.subject and "Lizenzen, die bald ablaufen" in german.subject
    assert reverse("media_library", args=[org.slug]) in english.body
    assert notify_expiring_assets() == 0  # idempotent
    _licence(image, days=12)  # a new date is announced again
    assert notify_expiring_assets() == 2


def test_project_dashboard_warns_about_expiring_licences(post, image, org, owner, client_for):
    actions.do_update_asset(
        image, name="Sunrise", project=post.project, tags=[], licence_type="stock",
        licensed_until=licence_today() + timedelta(days=3),
    )  # fmt: skip
    page = client_for(owner).get(reverse("project_dashboard", args=[org.slug, post.project.slug])).content.decode()
    assert "1 licence expires in the next 14 days." in page
    assert f"?project={post.project.pk}&amp;licence=expiring" in page and "licence=expired" not in page


def test_deleting_the_organization_removes_its_assets_and_files(
    post, image, org, media_root, django_capture_on_commit_callbacks
):
    from apps.orgs.actions import do_delete_organization

    actions.record_render_assets(post, [image])
    assert any(media_root.rglob("*.png"))
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_organization(org, org.slug)
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_demo_library_shows_an_expiring_licence(media_root, client_for):
    from viralforge.demo import fill_demo_assets, seed_demo

    demo = seed_demo()
    assert fill_demo_assets(demo) == 3
    assert fill_demo_assets(demo) == 0  # idempotent
    owner = next(user for user, role in demo.logins if role == "owner")
    page = client_for(owner).get(reverse("media_library", args=[demo.organization.slug])).content.decode()
    assert "1 licence expires in the next 14 days." in page
