"""The plans every installation starts with (`manage.py ensure_defaults` creates the missing ones).

Staff change the numbers in the admin; this is only the starting point. A test run that empties
the tables (transactional tests) gets them back through `ensure_seed_plans`.
"""

SEED_PLANS = {
    "free": {
        "name": "Free",
        "seats": 3,
        "monthly_tokens": 200_000,
        "monthly_video_seconds": 300,
        "posts_per_month": 100,
        "renders_per_post": 2,
        "regenerations_per_post": 2,
        "max_projects": 1,
        "storage_mb": 1_024,
        "price_cents": 0,
        "allows_managed_keys": False,
        "soft_limit_percent": 80,
    },
    "pro": {
        "name": "Pro",
        "seats": 5,
        "monthly_tokens": 3_000_000,
        "monthly_video_seconds": 3_600,
        "posts_per_month": 300,
        "renders_per_post": 3,
        "regenerations_per_post": 5,
        "max_projects": 5,
        "storage_mb": 20_480,
        "price_cents": 4_900,
        "allows_managed_keys": True,
        "soft_limit_percent": 80,
    },
    "agency": {
        "name": "Agency",
        "seats": 20,
        "monthly_tokens": 20_000_000,
        "monthly_video_seconds": 18_000,
        "posts_per_month": 2_000,
        "renders_per_post": 5,
        "regenerations_per_post": 10,
        "max_projects": 25,
        "storage_mb": 204_800,
        "price_cents": 19_900,
        "allows_managed_keys": True,
        "soft_limit_percent": 80,
    },
}


def ensure_seed_plans(slugs=None):
    """Create the seeded plans that are missing (existing ones are left as staff edited them)."""
    from apps.billing.models import Plan

    plans = {}
    for slug, values in SEED_PLANS.items():
        if slugs is None or slug in slugs:
            plans[slug], _created = Plan.objects.get_or_create(slug=slug, defaults=values)
    return plans
