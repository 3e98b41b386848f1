"""Briefs and variants for tests (the endpoint registry's world, view tests)."""

from apps.variants.models import Brief, BriefStatus, Variant


def make_brief(project, user=None, **fields) -> Brief:
    defaults = {
        "topic": "Espresso zu Hause",
        "key_message": "Frisch gemahlen schmeckt besser.",
        "cta": "Jetzt probieren",
        "languages": ["de"],
        "platforms": ["x", "instagram"],
        "per_platform": 1,
        "status": BriefStatus.DONE,
    }
    return Brief.objects.create(
        organization=project.organization, project=project, created_by=user, **(defaults | fields)
    )


def make_variant(brief: Brief, platform: str = "x", **fields) -> Variant:
    defaults = {
        "language": "de",
        "index": 1,
        "text": "Frisch gemahlen schmeckt besser. Jetzt probieren!",
        "hashtags": [f"#tag{i}" for i in range(12)],  # too many for X: a lint finding with a fix
        "cta": "Jetzt probieren",
        "policy": {"outcome": "pass", "matches": []},
    }
    return Variant.objects.create(
        organization=brief.organization, project=brief.project, brief=brief, platform=platform, **(defaults | fields)
    )
