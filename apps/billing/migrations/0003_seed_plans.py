from django.db import migrations

PLANS = [
    {
        "slug": "free",
        "name": "Free",
        "seats": 3,
        "monthly_tokens": 200_000,
        "monthly_video_seconds": 300,
        "posts_per_month": 30,
        "renders_per_post": 2,
        "regenerations_per_post": 2,
        "max_projects": 1,
        "price_cents": 0,
        "allows_managed_keys": False,
        "soft_limit_percent": 80,
    },
    {
        "slug": "pro",
        "name": "Pro",
        "seats": 5,
        "monthly_tokens": 3_000_000,
        "monthly_video_seconds": 3_600,
        "posts_per_month": 300,
        "renders_per_post": 3,
        "regenerations_per_post": 5,
        "max_projects": 5,
        "price_cents": 4_900,
        "allows_managed_keys": True,
        "soft_limit_percent": 80,
    },
    {
        "slug": "agency",
        "name": "Agency",
        "seats": 20,
        "monthly_tokens": 20_000_000,
        "monthly_video_seconds": 18_000,
        "posts_per_month": 2_000,
        "renders_per_post": 5,
        "regenerations_per_post": 10,
        "max_projects": 25,
        "price_cents": 19_900,
        "allows_managed_keys": True,
        "soft_limit_percent": 80,
    },
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for values in PLANS:
        slug = values["slug"]
        Plan.objects.update_or_create(slug=slug, defaults={k: v for k, v in values.items() if k != "slug"})


def unseed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(slug__in=[p["slug"] for p in PLANS], subscriptions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_ledger_append_only")]

    operations = [migrations.RunPython(seed, unseed)]
