"""Generated clips end to end on a real worker: Veo and Kling stand-ins, assets, reuse, metering, fallbacks."""

import pytest

from apps.billing.models import Reservation, ReservationStatus, UsageKind, UsageLedger
from apps.media.clips.actions import do_request_scene_clips, do_save_video_settings, do_set_scene_source
from apps.media.clips.models import ClipStatus, VideoSource
from apps.media.clips.scenes import plan_visuals
from apps.media.clips.tasks import start_clip_steps
from apps.media.models import AssetKind, AssetSource, LicenceType
from apps.media.render import qa
from apps.sandbox import clipgen
from apps.sandbox.faults import set_faults
from apps.sandbox.models import SandboxCall
from tests.support.clips import add_keys, make_clip_post, point_at_sandbox, wait_for_clips
from tests.support.posts import make_project


@pytest.fixture
def sandbox(settings, live_server, media):
    point_at_sandbox(settings, live_server)
    return live_server


def request(post):
    from django.db import transaction

    with transaction.atomic():
        requested = do_request_scene_clips(post)
        start_clip_steps(requested.new)
    return requested


def ledger(org):
    return list(UsageLedger.objects.for_org(org).filter(kind=UsageKind.VIDEO_SECONDS))


def test_scenes_get_generated_clips_stored_as_assets_and_metered(org, sandbox, worker, tmp_path):
    add_keys(org)
    project = make_project(org)
    do_save_video_settings(project, default_source="veo", veo_model="veo-3.1-generate-preview",
                           kling_model="kling-v1-6", kling_mode="std")  # fmt: skip
    post = make_clip_post(org, "Coffee beans falling in slow motion", "Espresso pouring into a cup", project=project)
    do_set_scene_source(post, 2, VideoSource.KLING)
    requested = request(post)
    assert set(requested.clips) == {1, 2} and requested.sources == {1: "veo", 2: "kling"}
    clips = wait_for_clips(requested.new)
    assert [c.status for c in clips] == [ClipStatus.DONE, ClipStatus.DONE]
    veo_clip, kling_clip = sorted(clips, key=lambda c: c.provider, reverse=True)
    assert (veo_clip.provider, veo_clip.model, veo_clip.seconds, veo_clip.seconds_received) == (
        "veo", "veo-3.1-generate-preview", 4, 4)  # fmt: skip
    assert (kling_clip.provider, kling_clip.seconds_received) == ("kling", 5)
    assert veo_clip.operation.startswith("models/veo-3.1-generate-preview/operations/")
    for clip in clips:
        asset = clip.asset
        assert (asset.kind, asset.source, asset.licence_type) == (AssetKind.CLIP, AssetSource.GENERATED,
                                                                  LicenceType.GENERATED)  # fmt: skip
        assert clip.model in asset.attribution and asset.post_id == post.id
        assert (asset.width, asset.height) == (180, 320)
    # Metered: reserved before, committed for the seconds received.
    assert sorted(entry.quantity for entry in ledger(org)) == [4, 5]
    assert not Reservation.objects.for_org(org).filter(status=ReservationStatus.RESERVED).exists()
    plan = plan_visuals(post, requested, tmp_path)
    assert not plan.pending and not plan.fallbacks
    assert {i: v.kind for i, v in plan.visuals.items()} == {1: "clip", 2: "clip"}
    assert qa.probe(plan.visuals[1].path).duration == pytest.approx(4, abs=0.1)
    # The Veo request followed the contract, the Kling one carried a JWT.
    veo_create = SandboxCall.objects.get(service="veo", method="POST")
    assert veo_create.body["parameters"] == {"aspectRatio": "9:16", "durationSeconds": 4, "resolution": "720p",
                                             "negativePrompt": "logos"}  # fmt: skip
    assert SandboxCall.objects.filter(service="kling", method="POST", status=200).count() == 1

    # The same prompt and settings again (another post): the clip is reused, nothing is created or charged.
    again = make_clip_post(org, "Coffee beans falling in slow motion", project=project, slot=2)
    second = request(again)
    assert second.new == [] and second.clips[1].id == veo_clip.id
    assert clipgen.creates("veo") == 1 and len(ledger(org)) == 2


def test_blocked_clip_falls_back_with_its_reason_and_costs_nothing(org, sandbox, worker, tmp_path):
    add_keys(org)
    project = make_project(org)
    do_save_video_settings(project, default_source="kling", veo_model="veo-3.1-fast-generate-preview",
                           kling_model="kling-v1-6", kling_mode="std")  # fmt: skip
    post = make_clip_post(org, "A risky scene", project=project)
    set_faults("kling", rates={"safety": 1})
    requested = request(post)
    [clip] = wait_for_clips(requested.new)
    assert clip.status == ClipStatus.BLOCKED and clip.reason["code"] == "clips.blocked"
    assert ledger(org) == []
    assert Reservation.objects.for_org(org).get().status == ReservationStatus.RELEASED
    plan = plan_visuals(post, requested, tmp_path)
    assert plan.visuals == {} and plan.fallbacks == [
        {"scene": 1, "source": "kling", "clip": str(clip.id), "status": "blocked", "provider": "kling",
         "model": "kling-v1-6", "fallback": "card", "reason": clip.reason},
    ]  # fmt: skip


def test_budget_refused_means_no_provider_call_and_a_fallback(org, sandbox, worker):
    add_keys(org)
    project = make_project(org, monthly_video_seconds_budget=3)
    do_save_video_settings(project, default_source="veo", veo_model="veo-3.1-fast-generate-preview",
                           kling_model="kling-v1-6", kling_mode="std")  # fmt: skip
    post = make_clip_post(org, "Beans", project=project)
    [clip] = wait_for_clips(request(post).new)
    assert clip.status == ClipStatus.FAILED and clip.reason["code"] == "clips.budget"
    assert clipgen.creates("veo") == 0 and not SandboxCall.objects.filter(service="veo").exists()
    assert ledger(org) == []


def test_transient_errors_are_retried_and_a_missing_key_fails_cleanly(org, sandbox, worker):
    do_save = {"veo_model": "veo-3.1-fast-generate-preview", "kling_model": "kling-v1-6", "kling_mode": "std"}
    project = make_project(org)
    do_save_video_settings(project, default_source="veo", **do_save)
    post = make_clip_post(org, "Beans without a key", project=project)
    [clip] = wait_for_clips(request(post).new)
    assert (clip.status, clip.reason["code"], clip.creates) == (ClipStatus.FAILED, "clips.no_key", 0)

    add_keys(org)
    set_faults("veo", rates={"429": 0.5, "503": 0.2}, retry_after=0.1, seed=3)
    post = make_clip_post(org, "Beans with a flaky provider", project=project, slot=2)
    [clip] = wait_for_clips(request(post).new)
    faults = list(SandboxCall.objects.filter(service="veo").exclude(fault="").values_list("fault", flat=True))
    assert clip.status in (ClipStatus.DONE, ClipStatus.FAILED) and faults
    assert clip.attempts == len(faults)  # each 429/503 cost one attempt and was retried in place
    if clip.status == ClipStatus.DONE:
        assert [e.quantity for e in ledger(org)] == [clip.seconds_received]
    else:
        assert clip.reason["code"] == "clips.gave_up" and ledger(org) == []
