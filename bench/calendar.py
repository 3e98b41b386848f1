"""The calendar and the post editor against a trivial view on the same server:
`python -m bench.calendar [--posts N] [--repeat N]`.

Creates a throwaway organization, projects and ready month plans with `--posts` posts (default
90: 30 days × 3 slots) in the development database and times, with the Django test client (signed
in as an editor): the month page, the HTMX month partial with a filter, the week page, the list
page, /healthz (the baseline), opening the post editor (HTMX panel), saving it from a tab (HTMX:
the answer is the changed parts) and approving a week of 21 posts in one bulk request. It asserts
that every view runs the same number of queries for 9 and for 90 posts, prints p95s (the bulk
approval: the median of a few runs) and the ratio to the trivial view, and deletes everything again.
"""

import argparse
import time
import uuid
from datetime import date, timedelta

from bench.common import emit, median_ms, p95_ms, setup_django, time_calls


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

        trivial = p95_ms(time_calls(lambda: client.get("/healthz"), args.repeat))
        page = p95_ms(time_calls(lambda: client.get(url), args.repeat))
        partial = p95_ms(time_calls(lambda: client.get(url, {"status": "approved"}, headers=hx), args.repeat))
        week = p95_ms(time_calls(lambda: client.get(url, {"view": "week", "week": "2026-03-02"}), args.repeat))
        listing = p95_ms(time_calls(lambda: client.get(url, {"view": "list"}), args.repeat))
        emit("calendar", "trivial_p95_ms", trivial, "ms")
        emit("calendar", "calendar_partial_p95_ms", partial, "ms", 60, "lower")
        emit("calendar", "calendar_ratio_to_trivial", page / trivial, "ratio", 11, "lower")
        emit("calendar", "calendar_p95_ms", page, "ms", 60, "lower")
        emit("calendar", "week_p95_ms", week, "ms", 60, "lower")
        emit("calendar", "list_p95_ms", listing, "ms")

        # The editor: open (the HTMX panel) and save the content tab (the changed parts only).
        post = PostItem.objects.for_org(org).filter(project=project, locked=False).order_by("date", "slot")[1]
        detail = f"{base}/posts/{post.id}/"
        opened = p95_ms(time_calls(lambda: client.get(detail, headers=hx), args.repeat))
        emit("calendar", "editor_open_p95_ms", opened, "ms", 30, "lower")
        hooks = iter(range(10**6))

        def save():
            current = PostItem.objects.for_org(org).values_list("version", flat=True).get(pk=post.pk)
            data = {"tab": "content", "version": current, "hook": f"Hook {next(hooks)}: Espresso ohne Bitterkeit",
                    "format": post.format, "caption": post.caption, "hashtags": "#kaffee #espresso"}  # fmt: skip
            response = client.post(f"{detail}edit/", data, headers=hx)
            assert response.status_code == 200, response.status_code

        saved = p95_ms(time_calls(save, args.repeat))
        emit("calendar", "editor_save_p95_ms", saved, "ms", 40, "lower")

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
            start = time.perf_counter()
            response = client.post(bulk_url, {"action": "approve", "post": selection}, headers=hx)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200 and response.content.decode().count('class="result-done"') == 21
            return elapsed

        approve_week()  # warm
        emit("calendar", "bulk_approve_21_ms", median_ms([approve_week() for _ in range(5)]), "ms", 500, "lower")
    finally:
        org.delete()
        User.objects.filter(email=f"bench-{tag}@bench.invalid").delete()


if __name__ == "__main__":
    main()
