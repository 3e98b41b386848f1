"""Rule sets in the admin: drafts are edited in place; saving a published version creates the next one."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count
from django.forms import Textarea
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.compliance import actions
from apps.compliance.models import Rule, RuleSet
from apps.orgs.admin import TenantAdmin, TenantInlineMixin


class RuleInline(TenantInlineMixin, admin.StackedInline):
    model = Rule
    extra = 0
    fields = [
        ("code", "category", "kind", "outcome"),
        "patterns",
        ("languages", "platform", "field", "limit"),
        "description",
    ]
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 4, "cols": 80})}}


class ScopeFilter(admin.SimpleListFilter):
    title = gettext_lazy("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("global", gettext_lazy("global")), ("organization", gettext_lazy("one organization"))]

    def queryset(self, request, queryset):
        if self.value() == "global":
            return queryset.filter(organization__isnull=True)
        if self.value() == "organization":
            return queryset.filter(organization__isnull=False)
        return queryset


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", gettext_lazy("draft")),
            ("active", gettext_lazy("published, active")),
            ("retired", gettext_lazy("published, inactive")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.filter(published_at__isnull=True)
        if self.value() == "active":
            return queryset.filter(published_at__isnull=False, active=True)
        if self.value() == "retired":
            return queryset.filter(published_at__isnull=False, active=False)
        return queryset


@admin.register(RuleSet)
class RuleSetAdmin(TenantAdmin):
    list_display = ["name", "scope", "version", "state", "rule_count", "published_at", "created_at"]
    list_filter = [ScopeFilter, StateFilter, "active"]
    search_fields = ["name", "description", "organization__name", "organization__slug"]
    raw_id_fields = ["organization"]
    list_select_related = ["organization"]
    fields = ["organization", "name", "description", "version", "active", "published_at", "based_on", "created_at"]
    readonly_fields = ["version", "active", "published_at", "based_on", "created_at"]
    inlines = [RuleInline]
    actions = ["publish_selected", "activate_selected", "deactivate_selected"]
    change_form_template = "compliance/admin/ruleset_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rule_count=Count("rules"))

    @admin.display(description=gettext_lazy("scope"), ordering="organization__name")
    def scope(self, obj: RuleSet) -> str:
        return obj.scope_label

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj: RuleSet) -> str:
        if not obj.is_published:
            return _("draft")
        return _("published, active") if obj.active else _("published, inactive")

    @admin.display(description=gettext_lazy("rules"), ordering="rule_count")
    def rule_count(self, obj: RuleSet) -> int:
        return obj.rule_count

    def get_actions(self, request):
        found = super().get_actions(request)
        # A published version is history (verdicts name it): never bulk-deleted.
        found.pop("delete_selected", None)
        return found

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            source = self.get_object(request, unquote(object_id))
            if source is not None and source.is_published:
                # A published version never changes: the edits become the next version.
                post = request.POST.copy()
                post["_saveasnew"] = "1"
                request.POST = post
                request._vf_revising = source
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        source = getattr(request, "_vf_revising", None)
        if not change and source is not None:
            obj.based_on = source
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rule_set = form.instance
        source = getattr(request, "_vf_revising", None)
        if "_publish" in request.POST:
            actions.do_publish_rule_set(rule_set)
            self.message_user(
                request,
                _("Version %(version)s of %(name)s is published and active.")
                % {"version": rule_set.version, "name": rule_set.name},
                messages.SUCCESS,
            )
        elif source is not None:
            self.message_user(
                request,
                _("Version %(old)s stays unchanged; your edits are the draft version %(new)s. Publish it to use it.")
                % {"old": source.version, "new": rule_set.version},
                messages.INFO,
            )

    @admin.action(description=gettext_lazy("Publish and activate the selected drafts"))
    def publish_selected(self, request, queryset):
        done = 0
        for rule_set in queryset.order_by("version"):
            if not rule_set.is_published:
                actions.do_publish_rule_set(rule_set)
                done += 1
        message = ngettext("%(count)d rule set published.", "%(count)d rule sets published.", done) % {"count": done}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Activate the selected published versions"))
    def activate_selected(self, request, queryset):
        for rule_set in queryset.order_by("version"):
            try:
                actions.do_activate_rule_set(rule_set)
            except actions.PolicyRuleError as exc:
                self.message_user(request, f"{rule_set}: {exc}", messages.ERROR)

    @admin.action(description=gettext_lazy("Deactivate the selected versions"))
    def deactivate_selected(self, request, queryset):
        for rule_set in queryset:
            actions.do_deactivate_rule_set(rule_set)


@admin.register(Rule)
class RuleAdmin(TenantAdmin):
    list_display = ["code", "rule_set", "category", "kind", "outcome", "languages", "platform", "field", "limit"]
    list_filter = ["category", "outcome", "kind", "platform", "rule_set__active"]
    search_fields = ["code", "description", "patterns", "rule_set__name"]
    list_select_related = ["rule_set", "rule_set__organization"]
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 6, "cols": 80})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rule_set":
            # Rules can only be added to drafts; published versions never change.
            kwargs["queryset"] = RuleSet.objects.unscoped().filter(published_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.rule_set.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.rule_set.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found
