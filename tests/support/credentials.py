"""Shared helpers for the credentials, sandbox and secrets tests (no tests in here)."""

from datetime import timedelta

from django.utils import timezone

from apps.credentials.actions import do_add_credential

# Looks like an OpenRouter key, so the sandbox accepts it. Long and distinctive: a leak is a substring match.
SECRET = "sk-or-v1-7c1e9a4f2b8d6e3a5c0f9b2d4e6a8c1f3b5d7e9a"
OTHER_SECRET = "sk-or-v1-0d2f4b6a8c1e3f5a7b9d0c2e4f6a8b1d3c5e7f90"
BAD_SECRET = "sk-or-v1-revoked-5b7d9f1a3c5e7b9d1f3a5c7e9b1d"
PLATFORM_SECRET = "sk-or-v1-platform-8e6c4a2f0d8b6e4c2a0f8d6b4e2c"


def add(org, provider="openrouter", secret=SECRET, **kwargs):
    return do_add_credential(org, provider=provider, secret=secret, **kwargs)


def subscribe(org, *, managed: bool):
    """Put `org` on a plan that does (or does not) allow managed keys (apps.billing's models)."""
    from apps.billing.models import Plan, Subscription

    plan, _ = Plan.objects.update_or_create(
        slug=f"credentials-test-{'managed' if managed else 'byok'}",
        defaults={
            "name": "Managed" if managed else "BYOK only",
            "seats": 10,
            "monthly_tokens": 1_000_000,
            "monthly_video_seconds": 600,
            "posts_per_month": 100,
            "renders_per_post": 3,
            "regenerations_per_post": 3,
            "max_projects": 10,
            "allows_managed_keys": managed,
        },
    )
    now = timezone.now()
    Subscription.objects.update_or_create(
        organization=org,
        defaults={
            "plan": plan,
            "current_period_start": now - timedelta(days=1),
            "current_period_end": now + timedelta(days=29),
        },
    )
    return plan
