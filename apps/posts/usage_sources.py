"""Names and links for the usage history (apps.billing.sources): month plans, posts and AI decisions."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from apps.ai.models import AIDecision
from apps.billing.sources import add_source_describer
from apps.planning.models import ContentPlan
from apps.posts.models import PostItem
from apps.projects.links import calendar_url


def _plans(org, ids) -> dict:
    rows = ContentPlan.objects.for_org(org).filter(id__in=ids).select_related("project")
    return {
        str(plan.id): (
            _("Plan for %(month)s (%(project)s), version %(version)s")
            % {
                "month": date_format(plan.month, "YEAR_MONTH_FORMAT"),
                "project": plan.project.name,
                "version": plan.version,
            },
            calendar_url(org.slug, plan.project.slug, plan.month),
        )
        for plan in rows
    }


def _posts(org, ids) -> dict:
    rows = PostItem.objects.for_org(org).filter(id__in=ids).select_related("project")
    return {
        str(post.id): (
            _("Post: %(hook)s") % {"hook": Truncator(post.hook).chars(60)},
            reverse("post_detail", args=[org.slug, post.project.slug, post.id]),
        )
        for post in rows
    }


def _decisions(org, ids) -> dict:
    rows = AIDecision.objects.for_org(org).filter(id__in=ids)
    return {
        str(decision.id): (
            _("AI decision: %(agent)s") % {"agent": decision.agent_label},
            reverse("ai_decision_detail", args=[org.slug, decision.id]),
        )
        for decision in rows
    }


def register() -> None:
    add_source_describer("planning.ContentPlan", _plans)
    add_source_describer("posts.PostItem", _posts)
    add_source_describer("ai.AIDecision", _decisions)
