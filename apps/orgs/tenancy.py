"""The tenant safety net.

Every model owned by an organization uses `TenantManager`. A query on such a
model must be scoped: filtered by a foreign key to the organization (or to
another tenant-owned parent such as a project), or explicitly marked with
`.unscoped()` where crossing tenants is the point (admin, jobs that were handed
an id by trusted code). An unscoped query raises `UnscopedTenantQuery` in tests
(`VF_TENANT_GUARD_RAISE`) and is logged as an error elsewhere.
"""

import logging

from django.conf import settings
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import AND

logger = logging.getLogger(__name__)


ORG_LABEL = "orgs.Organization"


class UnscopedTenantQuery(Exception):
    pass


def _is_tenant_parent(field) -> bool:
    remote = getattr(field, "related_model", None)
    if remote is None or not field.many_to_one and not field.one_to_one:
        return False
    return remote._meta.label == ORG_LABEL or isinstance(getattr(remote, "_default_manager", None), TenantManager)


def _lookup_scopes(lookup: Lookup, scope_fields: tuple[str, ...]) -> bool:
    lhs = lookup.lhs
    if not isinstance(lhs, Col):
        return False
    field = lhs.target
    if field.model._meta.label == ORG_LABEL:
        # Through a join to the organization: only its unique columns pick one organization.
        return lookup.lookup_name in ("exact", "in") and (field.primary_key or field.unique)
    if not (field.name in scope_fields or _is_tenant_parent(field)):
        return False
    if lookup.lookup_name in ("exact", "in"):
        return True
    # Rows that belong to no organization (shared rows) are nobody's tenant data.
    return lookup.lookup_name == "isnull" and lookup.rhs is True


def _where_scopes(node, scope_fields: tuple[str, ...]) -> bool:
    """Does this WHERE (sub)tree restrict every row it lets through to a scope?

    AND needs one scoping branch, OR (and XOR) needs all of them; a negated branch
    (`exclude(organization=org)`: every *other* organization) never scopes.
    """
    if isinstance(node, Lookup):
        return _lookup_scopes(node, scope_fields)
    children = getattr(node, "children", None)
    if not children or getattr(node, "negated", False):
        return False
    results = (_where_scopes(child, scope_fields) for child in children)
    if node.connector == AND:
        return any(results)
    return all(results)


class TenantQuerySet(models.QuerySet):
    _vf_unscoped = False

    def unscoped(self):
        """Mark this query as deliberately crossing organizations."""
        clone = self._chain()
        clone._vf_unscoped = True
        return clone

    def for_org(self, organization):
        return self.filter(**{self.model.tenant_path: organization})

    def _clone(self):
        clone = super()._clone()
        clone._vf_unscoped = self._vf_unscoped
        return clone

    def _check_scope(self) -> None:
        if self._vf_unscoped:
            return
        scope_fields = getattr(self.model, "tenant_scope_fields", ())
        if _where_scopes(self.query.where, scope_fields):
            return
        message = f"Unscoped query on tenant model {self.model._meta.label}: filter by organization or use .unscoped()."
        if settings.VF_TENANT_GUARD_RAISE:
            raise UnscopedTenantQuery(message)
        logger.error(message)

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    def delete(self):
        self._check_scope()
        return super().delete()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    pass


class TenantModel(models.Model):
    """Abstract base: `tenant_path` is how this model reaches its Organization."""

    tenant_path = "organization"
    tenant_scope_fields: tuple[str, ...] = ("organization",)

    objects = TenantManager()

    class Meta:
        abstract = True
