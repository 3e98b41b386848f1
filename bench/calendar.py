"""The calendar and the post editor against a trivial view on the same server:
`python -m bench.calendar [--posts N] [--repeat N]`.

Creates a throwaway organization, projects and ready month plans with `--posts` posts (default
90: 30 days × 3 slots) in the development database and times, with the Django test client (signed
in as an editor): the month page, the HTMX month partial with a filter, the week page, the list
page, /healthz (the baseline), opening the post editor (HTMX panel), saving it from a tab (HTMX:
the answer is the changed parts) and approving a week of 21 posts in one bulk request. It asserts
that every view runs the same number of queries for 9 and for 90 posts, prints p95s (the bulk
approval: the median of a few runs) and the ratio to the trivial view, and deletes everything again.

Next to each wall-clock figure it prints the CPU time the request took in this process
(`*_cpu_ms`, the median of `time.thread_time()` around the request: the test client runs the view
in this thread), which a loaded machine inflates far less than the wall time; the queries' time in
Postgres is not in it.
"""

import argparse
import time
import uuid
from datetime import date, timedelta

from bench.common import emit, median_ms, p95_ms, setup_django

WARMUP = 5


def _measure(request, repeat: int, prepare=None) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds of this thread) per call of `request`; `prepare()` runs before each,
    untimed, and its result is passed to `request`."""
    walls, cpus = [], []
    for n in range(WARMUP + repeat):
        arg = prepare() if prepare else None
        wall, cpu = time.perf_counter(), time.thread_time()
        request(arg) if prepare else request()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        if n >= WARMUP:
            walls.append(wall)
            cpus.append(cpu)
    return walls, cpus


def _emit_timed(name: str, samples: tuple[list[float], list[float]], target: float | None = None) -> float:
    """`<name>_p95_ms` (wall) and `<name>_cpu_ms` (median CPU of the request in this process)."""
    walls, cpus = samples
    wall = p95_ms(walls)
    emit("calendar", f"{name}_p95_ms", wall, "ms", target, "lower")
    emit("calendar", f"{name}_cpu_ms", median_ms(cpus), "ms")
    return wall


def _posts(org, project, plan, month: date, count: int):
    from apps.posts.models import PostItem, PostStatus

    policy_note = {"code": "policy.medical_health_claim", "params": {"text": "Gesundheitsversprechen"}}

    statuses = [PostStatus.DRAFT, PostStatus.NEEDS_APPROVAL, PostStatus.APPROVED, PostStatus.NEEDS_REVIEW]
    formats = ["Tutorial", "Myth busting", "POV", "Before/after", "Storytime"]
    posts = []
    for i in range(count):
        hook = f"Hook {i}: drei Fehler, die fast jeder beim Espresso macht – und wie du sie vermeidest"
        scenes = [
            {"index": n, "voiceover": f"Szene {n} " * 12, "on_screen_text": f"Text {n}", "visual": "Nahaufnahme",
             "duration_seconds": 5}
            for n in range(1, 6)
        ]  # fmt: skip
        posts.append(
            PostItem(
                organization=org,
                project=project,
                plan=plan,
                date=month + timedelta(days=i // 3),
                slot=i % 3 + 1,
                format=formats[i % len(formats)],
                hook=hook[:150],
                script={"title": hook[:100], "scenes": scenes, "cta": "Folge uns", "total_duration_seconds": 25},
                storyboard=[
                    {"index": n, "visual": "Bohnen", "camera": "Makro", "duration_seconds": 5} for n in range(5)
                ],
                video_prompt={"aspect_ratio": "9:16", "style": "warm", "prompts": []},
                caption="Caption " * 40,
                hashtags=["#kaffee", "#espresso", "#barista"],
                confidence=0.5 + (i % 50) / 100,
                status=statuses[i % len(statuses)],
                review_reason=[policy_note] if statuses[i % len(statuses)] == "needs_review" else [],
                locked=i % 7 == 0,
            )
        )
    PostItem.objects.bulk_create(posts)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=80)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import User
    from apps.orgs.models import Membership, Organization
    from apps.orgs.roles import Role
    from apps.planning.models import ContentPlan, PlanStatus
    from apps.posts.models import PostItem, PostStatus
    from apps.projects.models import ApprovalRule, Project

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    tag = uuid.uuid4().hex[:8]
    month = date(2026, 3, 1)
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    user = User.objects.create_user(email=f"bench-{tag}@bench.invalid")
    try:
        Membership.objects.create(organization=org, user=user, role=Role.EDITOR)
        editor_rule = {"approval_rule": ApprovalRule.EDITOR}
        project = Project.objects.create(organization=org, name="Bench Coffee", slug="bench-coffee", **editor_rule)
        plan = ContentPlan.objects.create(organization=org, project=project, month=month, status=PlanStatus.READY)
        _posts(org, project, plan, month, min(args.posts, 93))
        client = Client()
        client.force_login(user)
        base = f"/o/{org.slug}/p/{project.slug}"
        url = f"{base}/calendar/{month:%Y-%m}/"
        assert client.get(url).status_code == 200
        hx = {"HX-Request": "true"}

        # Same query count for 9 and 90 posts in every view (asserted).
        small = Project.objects.create(organization=org, name="Bench Small", slug="bench-small")
        small_plan = ContentPlan.objects.create(organization=org, project=small, month=month, status=PlanStatus.READY)
        _posts(org, small, small_plan, month, 9)
        for query in ("", "?view=week&week=2026-03-02", "?view=list"):
            small_url = f"/o/{org.slug}/p/{small.slug}/calendar/{month:%Y-%m}/{query}"
            _queries(client, small_url), _queries(client, url + query)  # warm caches
            nine, ninety = _queries(client, small_url), _queries(client, url + query)
            assert nine == ninety, f"{query or 'month'}: {nine} queries for 9 posts, {ninety} for 90"
            emit("calendar", f"queries_{query.split('&')[0].removeprefix('?view=') or 'month'}", ninety, "count")

        trivial = _emit_timed("trivial", _measure(lambda: client.get("/healthz"), args.repeat))
        page = _emit_timed("calendar", _measure(lambda: client.get(url), args.repeat), 60)
        emit("calendar", "calendar_ratio_to_trivial", page / trivial, "ratio", 11, "lower")
        partial = _measure(lambda: client.get(url, {"status": "approved"}, headers=hx), args.repeat)
        _emit_timed("calendar_partial", partial, 60)
        week = _measure(lambda: client.get(url, {"view": "week", "week": "2026-03-02"}), args.repeat)
        _emit_timed("week", week, 60)
        _emit_timed("list", _measure(lambda: client.get(url, {"view": "list"}), args.repeat))

        # The editor: open (the HTMX panel) and save the content tab (the changed parts only).
        post = PostItem.objects.for_org(org).filter(project=project, locked=False).order_by("date", "slot")[1]
        detail = f"{base}/posts/{post.id}/"
        _emit_timed("editor_open", _measure(lambda: client.get(detail, headers=hx), args.repeat), 30)
        hooks = iter(range(10**6))

        def edit_data():  # what the browser holds: the version it showed (read untimed)
            current = PostItem.objects.for_org(org).values_list("version", flat=True).get(pk=post.pk)
            return {"tab": "content", "version": current, "hook": f"Hook {next(hooks)}: Espresso ohne Bitterkeit",
                    "format": post.format, "caption": post.caption, "hashtags": "#kaffee #espresso"}  # fmt: skip

        def save(data):
            response = client.post(f"{detail}edit/", data, headers=hx)
            assert response.status_code == 200, response.status_code

        _emit_timed("editor_save", _measure(save, args.repeat, prepare=edit_data), 40)

        # Bulk approval of a week (21 posts, one request), a few runs on fresh drafts.
        week_project = Project.objects.create(organization=org, name="Bench Week", slug="bench-week", **editor_rule)
        week_plan = ContentPlan.objects.create(
            organization=org, project=week_project, month=month, status=PlanStatus.READY
        )
        _posts(org, week_project, week_plan, month, 24)
        week_posts = PostItem.objects.for_org(org).filter(project=week_project, date__gte=date(2026, 3, 2))
        bulk_url = f"/o/{org.slug}/p/{week_project.slug}/calendar/bulk/"

        def approve_week():
            week_posts.update(status=PostStatus.NEEDS_APPROVAL, locked=False, review_reason=[], approved_by=None)
            selection = [f"{pk}:{version}" for pk, version in week_posts.values_list("id", "version")]
            assert len(selection) == 21
            start, cpu = time.perf_counter(), time.thread_time()
            response = client.post(bulk_url, {"action": "approve", "post": selection}, headers=hx)
            elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
            assert response.status_code == 200 and response.content.decode().count('class="result-done"') == 21
            return elapsed, cpu

        approve_week()  # warm
        runs = [approve_week() for _ in range(5)]
        emit("calendar", "bulk_approve_21_ms", median_ms([wall for wall, _cpu in runs]), "ms", 500, "lower")
        emit("calendar", "bulk_approve_21_cpu_ms", median_ms([cpu for _wall, cpu in runs]), "ms")
    finally:
        org.delete()
        User.objects.filter(email=f"bench-{tag}@bench.invalid").delete()


if __name__ == "__main__":
    main()
