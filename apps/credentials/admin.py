from django.contrib import admin

from apps.credentials.models import CredentialPolicy, ProviderCredential
from apps.orgs.admin import TenantAdmin


@admin.register(ProviderCredential)
class ProviderCredentialAdmin(TenantAdmin):
    """Metadata only: the encrypted payload is never shown, and secrets are entered on the organization's page."""

    list_display = [
        "provider",
        "organization",
        "project",
        "mode",
        "label",
        "mask",
        "secret_version",
        "key_id",
        "status",
        "replaced_at",
        "last_used_at",
        "last_test_ok",
    ]
    list_filter = ["provider", "mode", "status", "key_id"]
    search_fields = ["organization__name", "organization__slug", "project__name", "label"]
    list_select_related = ["organization", "project"]
    raw_id_fields = ["organization", "project", "created_by"]
    exclude = ["payload"]
    readonly_fields = [
        "organization",
        "project",
        "provider",
        "mode",
        "mask",
        "key_id",
        "secret_version",
        "status",
        "created_by",
        "created_at",
        "replaced_at",
        "rotated_at",
        "revoked_at",
        "last_used_at",
        "last_test_at",
        "last_test_ok",
        "last_test_message",
    ]

    def has_add_permission(self, request):
        # Adding needs the secret, which is entered (and encrypted) on the organization's credentials page.
        return False


@admin.register(CredentialPolicy)
class CredentialPolicyAdmin(TenantAdmin):
    list_display = ["organization", "max_age_days", "updated_at", "updated_by"]
    search_fields = ["organization__name", "organization__slug"]
    list_select_related = ["organization", "updated_by"]
    raw_id_fields = ["organization", "updated_by"]
    readonly_fields = ["updated_at"]
