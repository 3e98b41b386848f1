"""The project settings sections projects brings itself (see apps.projects.extensions)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.billing.services import get_plan
from apps.orgs.models import Membership
from apps.orgs.roles import Role
from apps.projects.access import reviewer_user_ids
from apps.projects.extensions import Section, add_settings_section
from apps.projects.forms import BudgetsForm, DeleteProjectForm, ProjectBasicsForm, PublishingForm
from apps.projects.models import ApprovalRule

PAGE = "projects/project_settings.html"


def reviewers_context(request, project) -> dict:
    granted = reviewer_user_ids(project)
    members = Membership.objects.for_org(request.org).select_related("user").order_by("user__email")
    rows = [{"member": m, "granted": m.user_id in granted, "by_role": m.has_role(Role.EDITOR)} for m in members]
    return {
        "reviewer_rows": rows,
        "show_reviewers": project.approval_rule == ApprovalRule.CLIENT_REVIEWER or bool(granted),
    }


def basics_context(request, project, form=None) -> dict:
    return {
        "basics_form": form or ProjectBasicsForm(initial=ProjectBasicsForm.initial_for(project)),
    }


def publishing_context(request, project, form=None) -> dict:
    form = form or PublishingForm(initial=PublishingForm.initial_for(project))
    return {"publishing_form": form} | reviewers_context(request, project)


def budgets_context(request, project, form=None) -> dict:
    return {
        "budgets_form": form or BudgetsForm(initial=BudgetsForm.initial_for(project)),
        "plan": get_plan(request.org),
    }


def delete_context(request, project, form=None) -> dict:
    return {"delete_form": form or DeleteProjectForm()}


def register() -> None:
    add_settings_section(Section("basics", 10, f"{PAGE}#section_basics", basics_context, _("Basics")))
    add_settings_section(Section("publishing", 30, f"{PAGE}#section_publishing", publishing_context, _("Publishing")))
    add_settings_section(Section("budgets", 40, f"{PAGE}#section_budgets", budgets_context, _("Budgets")))
    add_settings_section(Section("delete", 90, f"{PAGE}#section_delete", delete_context, _("Delete project")))
