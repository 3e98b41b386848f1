"""Shared helpers of the calendar and post tests (no tests here)."""

from datetime import date, timedelta

from django.urls import reverse

from apps.planning.models import ContentPlan, PlanStatus
from apps.posts.models import PostItem, PostStatus
from apps.projects.models import Project

HX = {"HTTP_HX_REQUEST": "true"}
MONTH = date(2026, 3, 1)
FORMATS = ("Tutorial", "Myth busting", "POV")


def make_project(org, slug="alpenglow", **fields) -> Project:
    fields.setdefault("name", "Alpenglow Coffee")
    return Project.objects.create(organization=org, slug=slug, **fields)


def script(hook="Drei Fehler beim Espresso", seconds=(3, 8, 4)) -> dict:
    scenes = [
        {
            "index": i + 1,
            "voiceover": f"{hook} – Teil {i + 1}.",
            "on_screen_text": f"Schritt {i + 1}",
            "visual": f"Nahaufnahme {i + 1}",
            "duration_seconds": s,
        }
        for i, s in enumerate(seconds)
    ]
    return {
        "title": hook,
        "language": "de",
        "scenes": scenes,
        "cta": "Folge uns für mehr.",
        "total_duration_seconds": sum(seconds),
    }


def make_post(plan: ContentPlan, day: date, slot: int, **fields) -> PostItem:
    hook = fields.pop("hook", f"Hook {day:%d} #{slot}")
    defaults = {
        "format": FORMATS[(day.day + slot) % len(FORMATS)],
        "hook": hook,
        "script": script(hook),
        "storyboard": [
            {"index": 1, "visual": "Bohnen fallen in die Mühle", "camera": "Makro", "duration_seconds": 3},
            {"index": 2, "visual": "Espresso läuft", "camera": "", "duration_seconds": 5},
        ],
        "video_prompt": {
            "aspect_ratio": "9:16",
            "style": "warm, natürliches Licht",
            "prompts": [
                {
                    "scene_index": 1,
                    "prompt": "Coffee beans falling, macro",
                    "negative_prompt": "logos",
                    "camera": "macro",
                    "style": "warm",
                    "duration_seconds": 3,
                }
            ],
        },
        "caption": f"{hook}. Probier es aus!",
        "hashtags": ["#kaffee", "#espresso"],
        "confidence": 0.72,
        "status": PostStatus.DRAFT,
    }
    defaults.update(fields)
    return PostItem.objects.create(
        organization=plan.organization, project=plan.project, plan=plan, date=day, slot=slot, **defaults
    )


def make_plan(project: Project, month: date = MONTH, posts: int = 0, status=PlanStatus.READY, **fields) -> ContentPlan:
    plan = ContentPlan.objects.create(
        organization=project.organization, project=project, month=month, status=status, **fields
    )
    for i in range(posts):
        make_post(plan, month + timedelta(days=i // 3), i % 3 + 1)
    return plan


def cal_url(org, project, month="2026-03", **query) -> str:
    url = reverse("project_calendar", args=[org.slug, getattr(project, "slug", project), month])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def post_url(name: str, post: PostItem, org=None, project=None) -> str:
    org_slug = org.slug if org is not None else post.project.organization.slug
    project_slug = getattr(project, "slug", project) if project is not None else post.project.slug
    return reverse(name, args=[org_slug, project_slug, post.id])


def snapshot(project: Project) -> list:
    """Everything a refused request could have touched in the project's posts."""
    rows = (
        PostItem.objects.for_org(project.organization)
        .filter(project=project)
        .order_by("id")
        .values_list(
            "id",
            "date",
            "slot",
            "format",
            "hook",
            "script",
            "storyboard",
            "video_prompt",
            "caption",
            "hashtags",
            "status",
            "review_reason",
            "locked",
            "version",
            "approved_by",
            "approved_at",
        )
    )
    from apps.posts.models import Approval

    approvals = list(Approval.objects.for_org(project.organization).values_list("id", flat=True))
    return [list(rows), sorted(approvals)]


def editor_data(post: PostItem, **changes) -> dict:
    """The POST data the editor form sends for `post` unchanged, with `changes` applied."""
    from apps.posts.forms import PostEditor

    editor = PostEditor(post)
    data = {}
    for part in (editor.form,):
        for field in part:
            value = field.value()
            data[field.html_name] = "" if value is None else value
    for formset in (editor.scenes, editor.board, editor.prompts):
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for form in formset.forms:
            for field in form:
                if field.name == "DELETE":
                    continue
                value = field.value()
                data[field.html_name] = "" if value is None else value
    data.update(changes)
    return data
