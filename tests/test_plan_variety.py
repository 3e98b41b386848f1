"""Variety: a 31-day plan for a sparse brand kit (a name and two topics) through the real
pipeline and the offline writer passes the similarity guard with at most 3 posts needing review."""

from datetime import date

from apps.ai.offline import OfflineProvider
from apps.billing.testing import subscribe
from apps.planning.pipeline import MonthPlanner
from apps.planning.slots import month_slots
from apps.projects.models import Project
from tests.support.policy_corpus import default_rule_set

JULY = date(2027, 7, 1)  # 31 days: 93 posts


def test_a_sparse_brand_kit_gets_a_varied_month(org, settings):
    settings.VF_SIMILARITY_THRESHOLD = 0.90
    default_rule_set()
    subscribe(org, posts_per_month=10_000)
    project = Project.objects.create(
        organization=org, name="Grünhof", slug="gruenhof", language="de", topics=["Tomaten", "Kräuter"]
    )
    planner = MonthPlanner(
        org, project, JULY, nonce="variety-seed", provider=OfflineProvider(), concurrency=1, progress=lambda *_: None
    )
    posts = planner.run(month_slots(JULY)).posts
    assert len(posts) == 93
    review = [post for post in posts if post.review_reason]  # what the plan saves as "needs review"
    assert len(review) <= 3, [(post.hook, post.review_reason) for post in review]
    assert len({post.hook.casefold() for post in posts}) == 93
    # Structure, not filler: no opening of four words is shared by more than 4 hooks.
    openings = [" ".join(post.hook.split()[:4]).casefold() for post in posts]
    assert max(openings.count(opening) for opening in set(openings)) <= 4
