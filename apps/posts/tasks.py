"""Dramatiq actors of the posts app (autodiscovered by django_dramatiq): the month plan's job."""

import logging
from datetime import date

import dramatiq
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from dramatiq.middleware import TimeLimitExceeded

from apps.jobs.progress import current_job_run_id
from apps.planning.pipeline import PlanFailed
from apps.posts import plan_runs

logger = logging.getLogger("viralforge.posts")

# A month plan makes a few hundred agent calls; with a slow provider that takes minutes.
PLAN_TIME_LIMIT_MS = 30 * 60 * 1000


class PlanGenerationFailed(Exception):
    """The plan was marked failed with a message for the user: do not retry the job."""


def _language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@dramatiq.actor(
    queue_name="default",
    max_retries=2,
    time_limit=PLAN_TIME_LIMIT_MS,
    throws=(PlanGenerationFailed,),
    on_retry_exhausted="month_plan_retries_exhausted",
)
def generate_month_plan(
    plan_id: str,
    regenerate: bool = False,
    user_id: str | None = None,
    language: str = "",
    replace_reviewed: bool = False,
    first_day: str = "",
) -> None:
    """Draft the month plan `plan_id` (apps.planning.pipeline) and persist it (apps.posts.plan_runs).

    Idempotent: a plan that is ready (or superseded) or owned by another job run is left alone.
    A failure the user has to see (budget, provider, invalid answers) marks the plan failed and
    ends the job as a dead letter without retries; an unexpected error (database, broker) is
    retried, and when the retries run out `month_plan_retries_exhausted` marks the plan failed.
    Step labels and messages are in the language of the person who asked (`language`).
    `first_day` (ISO date, fixed when the plan was requested): the current month's plan starts then.
    """
    job_run_id = current_job_run_id.get()
    with translation.override(_language(language)):
        try:
            plan_runs.run_month_plan(
                plan_id,
                job_run_id=job_run_id,
                regenerate=bool(regenerate),
                user_id=user_id,
                replace_reviewed=bool(replace_reviewed),
                first_day=date.fromisoformat(first_day) if first_day else None,
            )
        except PlanFailed as exc:
            raise PlanGenerationFailed(exc.message) from None
        except TimeLimitExceeded:
            message = _("Generating the plan took too long, so nothing was saved. Please try again.")
            plan_runs.fail_plan_by_id(plan_id, job_run_id, regenerate=bool(regenerate), message=message)
            raise PlanGenerationFailed(message) from None


@dramatiq.actor(queue_name="default", max_retries=3)
def month_plan_retries_exhausted(message_data: dict, retry_info: dict | None = None) -> None:
    """`generate_month_plan` failed for good on unexpected errors: mark its plan failed."""
    kwargs = message_data.get("kwargs") or {}
    options = message_data.get("options") or {}
    plan_id = kwargs.get("plan_id")
    if not plan_id:
        return
    with translation.override(_language(kwargs.get("language") or "")):
        plan_runs.fail_plan_by_id(
            plan_id,
            options.get("job_run_id"),
            regenerate=bool(kwargs.get("regenerate")),
            message=plan_runs.generic_failure_message(),
        )
