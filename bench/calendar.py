"""The project calendar against a trivial view on the same server: `python -m bench.calendar [--posts N] [--repeat N]`.

Creates a throwaway organization, project and ready month plan with `--posts` posts (default
90: 30 days × 3 slots) in the development database, times the calendar page (the full page,
then the HTMX grid partial with a filter) and /healthz with the Django test client (signed
in), prints p95s and the ratio to the trivial view, and deletes everything again.
"""

import argparse
import uuid
from datetime import date, timedelta

from bench.common import emit, p95_ms, setup_django, time_calls


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=150)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import User
    from apps.orgs.models import Membership, Organization
    from apps.orgs.roles import Role
    from apps.planning.models import ContentPlan, PlanStatus
    from apps.projects.models import Project

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    tag = uuid.uuid4().hex[:8]
    month = date(2026, 3, 1)
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    user = User.objects.create_user(email=f"bench-{tag}@bench.invalid")
    try:
        Membership.objects.create(organization=org, user=user, role=Role.EDITOR)
        project = Project.objects.create(organization=org, name="Bench Coffee", slug="bench-coffee")
        plan = ContentPlan.objects.create(organization=org, project=project, month=month, status=PlanStatus.READY)
        _posts(org, project, plan, month, min(args.posts, 93))
        client = Client()
        client.force_login(user)
        url = f"/o/{org.slug}/p/{project.slug}/calendar/{month:%Y-%m}/"
        assert client.get(url).status_code == 200

        trivial = p95_ms(time_calls(lambda: client.get("/healthz"), args.repeat))
        page = p95_ms(time_calls(lambda: client.get(url), args.repeat))
        partial = p95_ms(
            time_calls(lambda: client.get(url, {"status": "approved"}, headers={"HX-Request": "true"}), args.repeat)
        )
        emit("calendar", "trivial_p95_ms", trivial, "ms")
        emit("calendar", "calendar_partial_p95_ms", partial, "ms", 60, "lower")
        emit("calendar", "calendar_ratio_to_trivial", page / trivial, "ratio", 11, "lower")
        emit("calendar", "calendar_p95_ms", page, "ms", 60, "lower")
    finally:
        org.delete()
        User.objects.filter(email=f"bench-{tag}@bench.invalid").delete()


if __name__ == "__main__":
    main()
