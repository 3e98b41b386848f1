"""Publishing at scale against the sandbox TikTok: N posts for C sandbox creators, scheduled over two
sandbox days (the per-creator cap of 15 a day, the init limit of 6 a minute), with injected transient
faults and one worker process SIGKILLed mid-run and replaced.

    python -m bench.publish [--posts 1000] [--creators 50] [--scale 10] [--faults 0.10]

The clock is compressed (`VF_CLOCK_SCALE`, shared by this process, the sandbox's web server and the
workers); the slots straddle a UTC midnight in sandbox time so each creator's posts fall on two days.
A gunicorn server serves the sandbox, two `rundramatiq` processes work the `publish` queue, this
process runs the scheduler (claims due posts, re-queues what a dead worker left).

Figures: published, duplicates (sandbox posts beyond one per post), lost (posts neither published nor
failed with a reason), publish_success_ratio (excluding permanent failures, printed with their
reasons), schedule_lateness_p95_s (init started − slot, sandbox seconds).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = "publish"
FAR = datetime(2100, 1, 1, tzinfo=UTC)  # scheduled for real once the workers are up (see _schedule)


def _clock_env(scale: float, span_s: float, lead_s: float) -> None:
    """Anchor the compressed clock so that the slots can start `lead_s` real seconds from now (the
    set-up's time) with the next UTC midnight (sandbox time) in the middle of their `span_s`."""
    real = time.time()
    midnight = (datetime.fromtimestamp(real, UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                                               microsecond=0).timestamp()  # fmt: skip
    target = midnight - span_s / 2 - lead_s * scale
    os.environ["VF_CLOCK_SCALE"] = str(scale)
    os.environ["VF_CLOCK_ANCHOR"] = repr((real * scale - target) / (scale - 1))


def _start_worker(log) -> subprocess.Popen:
    # An idle dramatiq consumer polls its queue up to once a real second (`dramatiq_worker_timeout`):
    # 20 sandbox seconds of lateness at scale 20. A tenth of a second keeps it at two.
    env = dict(os.environ, dramatiq_worker_timeout="100")
    return subprocess.Popen(
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "6", "--queues", "publish"],
        env=env, start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip


def _wait_for_workers(log, timeout: float = 180) -> None:
    """Until both worker processes said they are ready (their log lines)."""
    deadline = time.monotonic() + timeout
    path = Path(log.name)
    while time.monotonic() < deadline:
        log.flush()
        if path.read_text(errors="replace").count("Worker process is ready") >= 2:
            return
        time.sleep(0.5)
    raise SystemExit("the workers did not start")


def _kill(process: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def _world(tag: str, posts: int, creators: int):
    """An organization with one project per creator, approved posts with a finished render each, a
    connected sandbox account per creator, and the publications scheduled with consent."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.accounts.models import User
    from apps.core import clock
    from apps.media.models import Render, RenderStatus
    from apps.orgs.models import Membership, Organization
    from apps.orgs.roles import Role
    from apps.planning.models import ContentPlan, PlanStatus
    from apps.posts.models import PostItem, PostStatus
    from apps.projects.models import ApprovalRule, Project
    from apps.sandbox.tiktok import state
    from apps.sandbox.tiktok.world import world
    from apps.social.actions import do_connect_account
    from apps.social.models import Publication, PublishMode, PublishState
    from apps.social.platforms import AccountInfo, get_platform
    from apps.social.tiktok.client import TokenResponse
    from tests.support.media import ffmpeg

    org = Organization.objects.create(name=f"Bench publish {tag}", slug=f"bench-publish-{tag}")
    user = User.objects.create_user(email=f"bench-publish-{tag}@bench.invalid", password=uuid.uuid4().hex)
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    clip = Path(tempfile.gettempdir()) / f"bench-publish-{tag}.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=270x480:rate=30:duration=1", "-pix_fmt", "yuv420p", "-c:v", "libx264",
           "-preset", "ultrafast", str(clip))  # fmt: skip
    size = clip.stat().st_size
    key = default_storage.save(f"org_{org.id}/bench/clip.mp4", ContentFile(clip.read_bytes()))
    platform = get_platform("tiktok")
    per_creator = posts // creators
    month = clock.now().date().replace(day=1)
    count = 0
    for c in range(creators):
        open_id = f"sbx-open-bench-{c + 1:02d}"
        grant_id, grant = state.new_grant(settings.VF_TIKTOK_CLIENT_KEY, open_id, list(platform.scopes))
        tokens = platform._tokens(TokenResponse.from_body(state.issue_tokens(grant_id, grant)))
        creator = world().creator(open_id)
        limits = {"privacy_level_options": creator.privacy_level_options,
                  "max_video_post_duration_sec": creator.max_video_post_duration_sec}  # fmt: skip
        info = AccountInfo(open_id, creator.nickname, creator.username, "", {}, limits)
        account = do_connect_account(org, "tiktok", tokens, info)
        project = Project.objects.create(organization=org, name=f"Brand {c}", slug=f"brand-{c}",
                                         approval_rule=ApprovalRule.EDITOR)  # fmt: skip
        account.projects.add(project)
        plan = ContentPlan.objects.create(organization=org, project=project, month=month, status=PlanStatus.READY)
        rows, renders, publications = [], [], []
        for i in range(per_creator):
            post = PostItem(organization=org, project=project, plan=plan, date=month + timedelta(days=i // 3),
                            slot=i % 3 + 1, format="Tutorial", hook=f"Bench {c}-{i}", caption=f"Bench post {c}-{i}",
                            status=PostStatus.APPROVED, approved_by=user)  # fmt: skip
            rows.append(post)
            renders.append(Render(organization=org, project=project, post=post, status=RenderStatus.DONE,
                                  video_key=key, duration_s=1, size_bytes=size, qa_passed=True))  # fmt: skip
            publications.append(Publication(
                organization=org, project=project, post=post, account=account, mode=PublishMode.DIRECT,
                state=PublishState.SCHEDULED, title=f"Bench post {c}-{i}", privacy_level="PUBLIC_TO_EVERYONE",
                consent_by=user, consent_at=clock.now(), scheduled_for=FAR,
            ))  # fmt: skip
        PostItem.objects.bulk_create(rows)
        Render.objects.bulk_create(renders)
        Publication.objects.bulk_create(publications)
        count += len(rows)
    return org, count


def _schedule(org, posts_per_creator: int, creators: int, span_s: float) -> float:
    """Each creator's posts every span/n sandbox seconds, creators taking turns, from the next UTC
    midnight − span/2 (the sandbox counts the daily cap per UTC day: half of them fall on each day),
    or from a few sandbox seconds ahead when the set-up took longer than planned. → the share of the
    span before midnight."""
    from apps.core import clock
    from apps.social.models import Publication

    now = clock.now()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now + timedelta(seconds=5 * clock.scale()), midnight - timedelta(seconds=span_s / 2))
    step = span_s / posts_per_creator
    rows = list(Publication.objects.for_org(org).select_related("post").order_by("post__hook"))
    for row in rows:
        c, i = (int(n) for n in row.post.hook.split()[1].split("-"))
        row.scheduled_for = start + timedelta(seconds=i * step + c * step / creators)
    Publication.objects.for_org(org).bulk_update(rows, ["scheduled_for"])
    return (midnight - start).total_seconds() / span_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--creators", type=int, default=50)
    parser.add_argument("--scale", type=float, default=20.0, help="sandbox seconds per real second")
    parser.add_argument("--faults", type=float, default=0.10, help="share of sandbox calls that fail transiently")
    parser.add_argument("--timeout", type=float, default=900, help="real seconds to wait for the last post")
    parser.add_argument("--lead", type=float, default=40, help="real seconds the set-up is given before the first slot")
    args = parser.parse_args()

    from bench.agents_client import _free_port, stop_server

    port = _free_port()
    tag = uuid.uuid4().hex[:8]
    os.environ["VF_REDIS_NAMESPACE"] = f"viralforge-bench-publish-{tag}"
    os.environ["VF_TIKTOK_API_BASE_URL"] = f"http://127.0.0.1:{port}/sandbox/tiktok"
    os.environ["VF_BASE_URL"] = f"http://127.0.0.1:{port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "viralforge.settings")
    # Two hours of sandbox time around a UTC midnight: half of each creator's posts on either day.
    span = 2 * 3600 * max(1.0, args.posts / args.creators / 20)
    _clock_env(args.scale, span, args.lead)
    began = time.monotonic()

    from bench.common import emit, setup_django

    setup_django()
    from django.conf import settings

    from apps.core import clock
    from apps.sandbox.faults import clear_faults, set_faults
    from apps.sandbox.tiktok import state
    from apps.social.models import FINAL_STATES, Publication, PublishEvent, PublishState
    from apps.social.publish.actions import claim_due_publications
    from apps.social.publish.tasks import run_tick
    from bench.plan import start_threaded_server

    log = open(Path(tempfile.gettempdir()) / f"bench-publish-{tag}.log", "ab")  # noqa: SIM115 (closed at the end)
    server = start_threaded_server(port, 16)
    workers = [_start_worker(log), _start_worker(log)]
    try:
        state.reset()
        org, total = _world(tag, args.posts, args.creators)
        _wait_for_workers(log)
        before_midnight = _schedule(org, args.posts // args.creators, args.creators, span)
        print(f"# set-up {time.monotonic() - began:.0f} s real; {before_midnight:.0%} of the span before midnight; "
              f"slots over {span / args.scale:.0f} s real", file=sys.stderr)  # fmt: skip
        state.configure(processing_seconds=5, moderation_seconds=30)
        if args.faults:
            third = args.faults / 3
            set_faults("tiktok", rates={"429": third, "500": third, "503": third}, retry_after=1, seed=7)
        killed = False
        deadline = time.monotonic() + args.timeout
        last_resume = time.monotonic()
        rows = Publication.objects.for_org(org)
        while time.monotonic() < deadline:
            # The scheduler, confined to this bench's organization (the database is shared with others).
            claim_due_publications(limit=200, organization=org)
            if time.monotonic() - last_resume > 3:
                run_tick(quiet_seconds=10, organization=org)  # re-queue what a dead worker left (real time)
                last_resume = time.monotonic()
            done = rows.filter(state__in=FINAL_STATES + (PublishState.BLOCKED, PublishState.MISSED)).count()
            if not killed and done >= total * 0.4:
                _kill(workers[0])  # SIGKILL mid-run, then a replacement
                workers[0] = _start_worker(log)
                killed = True
            if done >= total:
                break
            time.sleep(0.1)
        clear_faults("tiktok")

        publications = list(rows.values("post_id", "state", "failure", "scheduled_for", "started_at", "title"))
        ours = [p for p in state.all_publishes() if p["client_key"] == settings.VF_TIKTOK_CLIENT_KEY]
        completes = Counter(p["post_info"].get("title") for p in ours if p.get("status") == "PUBLISH_COMPLETE")
        published = sum(1 for p in publications if p["state"] == PublishState.PUBLISHED)
        permanent = [p for p in publications if p["state"] in (PublishState.FAILED, PublishState.BLOCKED)]
        duplicates = sum(n - 1 for n in completes.values() if n > 1)
        published_titles = {p["title"] for p in publications if p["state"] == PublishState.PUBLISHED}
        lost = sum(1 for p in publications if p["state"] not in FINAL_STATES + (PublishState.BLOCKED,)) + sum(
            1 for title in published_titles if completes[title] == 0)  # fmt: skip
        queued = PublishEvent.objects.for_org(org).filter(kind="queued").values_list("detail", flat=True)
        lateness = sorted(
            (p["started_at"] - p["scheduled_for"]).total_seconds() for p in publications if p["started_at"]
        )
        p95 = lateness[max(0, int(round(0.95 * len(lateness))) - 1)] if lateness else float("nan")
        for reason, n in Counter(str((p["failure"] or {}).get("code")) + " " + str((p["failure"] or {}).get(
                "params", "")) for p in permanent).items():  # fmt: skip
            print(f"# permanent failure ×{n}: {reason}", file=sys.stderr)
        print(f"# posts {total}, worker killed: {killed}, queued events {len(queued)}, "
              f"sandbox counts {dict(sorted(state.counts().items()))}", file=sys.stderr)  # fmt: skip
        emit(BENCH, "published", published, "count", target=total, better="higher")
        emit(BENCH, "duplicates", duplicates, "count", target=0)
        emit(BENCH, "lost", lost, "count", target=0)
        emit(BENCH, "publish_success_ratio", published / max(1, total - len(permanent)), "ratio", target=0.99,
             better="higher")  # fmt: skip
        emit(BENCH, "schedule_lateness_p95_s", p95, "s", target=60)
        emit(BENCH, "clock_scale", clock.scale(), "ratio")
        emit(BENCH, "wall_time_s", time.monotonic() - began, "s")
    finally:
        for worker in workers:
            _kill(worker)
        stop_server(server)
        log.close()


if __name__ == "__main__":
    main()
