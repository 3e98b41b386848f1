from django.contrib import admin
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from apps.orgs.models import Invitation, Membership, Organization
from apps.orgs.tenancy import TenantManager


def _is_tenant_model(model) -> bool:
    return isinstance(model._default_manager, TenantManager)


class TenantRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """The raw-id widget looks its object up with the default manager; for tenant models that must be unscoped."""

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            obj = self.rel.model._default_manager.using(self.db).unscoped().get(**{key: value})
        except (ValueError, self.rel.model.DoesNotExist, ValidationError):
            return "", ""
        try:
            url = reverse(f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change", args=(obj.pk,))
        except NoReverseMatch:
            url = ""
        return Truncator(obj).words(14), url


class CrossTenantFieldsMixin:
    """Form fields pointing at tenant models (choices, raw ids, validation) look across organizations.

    Use it on every admin or inline whose model has a foreign key to a tenant model; `TenantAdmin`
    includes it.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        remote = db_field.remote_field.model
        if _is_tenant_model(remote):
            db = kwargs.get("using")
            if "widget" not in kwargs and db_field.name in self.raw_id_fields:
                kwargs["widget"] = TenantRawIdWidget(db_field.remote_field, self.admin_site, using=db)
            if "queryset" not in kwargs:
                queryset = self.get_field_queryset(db, db_field, request)
                if queryset is None:
                    queryset = remote._default_manager.using(db).all()
                kwargs["queryset"] = queryset.unscoped()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        remote = db_field.remote_field.model
        if _is_tenant_model(remote) and "queryset" not in kwargs:
            db = kwargs.get("using")
            queryset = self.get_field_queryset(db, db_field, request)
            if queryset is None:
                queryset = remote._default_manager.using(db).all()
            kwargs["queryset"] = queryset.unscoped()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TenantAdmin(CrossTenantFieldsMixin, admin.ModelAdmin):
    """Staff see every organization's rows: the admin crosses tenants on purpose."""

    def get_queryset(self, request):
        return super().get_queryset(request).unscoped()


class ReadOnlyTenantAdmin(TenantAdmin):
    """Records that only the app's own code writes (ledgers, audit trails): staff look, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django finds existing rows by id through the tenant-guarded default manager;
        # only the parent's own rows can be addressed, so looking them up unscoped is safe.
        pk_name = self.model._meta.pk.name
        if pk_name in form.fields and _is_tenant_model(self.model):
            form.fields[pk_name].queryset = self.model._default_manager.unscoped().filter(
                **{self.fk.name: self.instance.pk}
            )


class TenantInlineMixin(CrossTenantFieldsMixin):
    """For admin inlines of tenant models: rows, choices and saves all look across organizations."""

    formset = TenantInlineFormSet

    def get_queryset(self, request):
        return super().get_queryset(request).unscoped()


class MembershipInline(TenantInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name", "organization__slug"]
    raw_id_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(TenantAdmin):
    list_display = ["email", "organization", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "accepted_at"]
    search_fields = ["email", "organization__name"]
    raw_id_fields = ["organization", "invited_by", "accepted_by"]
    # The token is the key to the invitation: never shown.
    exclude = ["token"]
    list_select_related = ["organization", "invited_by"]
