"""The tenant safety net.

Every model owned by an organization uses `TenantManager`. A query on such a
model must be scoped: filtered by a foreign key to the organization (or to
another tenant-owned parent such as a project), or explicitly marked with
`.unscoped()` where crossing tenants is the point (admin, jobs that were handed
an id by trusted code). Subqueries count too: a tenant queryset inside `Exists(...)`,
`Subquery(...)` or `field__in=queryset` must be scoped itself (a correlation to a
tenant parent through `OuterRef` is). An unscoped query raises `UnscopedTenantQuery`
in development and tests (`VF_TENANT_GUARD_RAISE`) and is logged as an error in
production.
"""

import logging

from django.conf import settings
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.query import Query
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


def _nested_queries(node):
    """The queries nested in a WHERE tree or expression: Exists, Subquery, `__in=queryset`."""
    if isinstance(node, Query):
        yield node
        return
    query = getattr(node, "query", None)
    if isinstance(query, Query):  # Exists, Subquery
        yield query
        return
    if isinstance(node, Lookup):
        yield from _nested_queries(node.lhs)
        yield from _nested_queries(node.rhs)
        return
    for child in getattr(node, "children", None) or ():
        yield from _nested_queries(child)
    if hasattr(node, "get_source_expressions"):
        for child in node.get_source_expressions():
            if child is not None:
                yield from _nested_queries(child)


def _is_tenant_model(model) -> bool:
    return isinstance(getattr(model, "_default_manager", None), TenantManager)


def unscoped_in(query: Query) -> str | None:
    """The label of a tenant model that `query` (or a query nested in it) reads unscoped, else None."""
    model = query.model
    if model is not None and _is_tenant_model(model) and not getattr(query, "_vf_unscoped", False):
        if not _where_scopes(query.where, getattr(model, "tenant_scope_fields", ())):
            return model._meta.label
    for node in (query.where, *query.annotations.values()):
        for nested in _nested_queries(node):
            label = unscoped_in(nested)
            if label:
                return label
    return None


class SubqueryGuardQuerySet(models.QuerySet):
    """For models that are not tenant-owned but get filtered by tenant rows (Organization):
    their own rows need no scope, the tenant queries nested in them do."""

    def _check_scope(self) -> None:
        for node in (self.query.where, *self.query.annotations.values()):
            for nested in _nested_queries(node):
                label = unscoped_in(nested)
                if label:
                    _report(label)
                    return

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


def _report(label: str) -> None:
    message = f"Unscoped query on tenant model {label}: filter by organization or use .unscoped()."
    if settings.VF_TENANT_GUARD_RAISE:
        raise UnscopedTenantQuery(message)
    logger.error(message)


class TenantQuerySet(SubqueryGuardQuerySet):
    _vf_unscoped = False

    def unscoped(self):
        """Mark this query as deliberately crossing organizations."""
        clone = self._chain()
        clone._vf_unscoped = True
        clone.query._vf_unscoped = True  # travels with the query when it is used as a subquery
        return clone

    def for_org(self, organization):
        return self.filter(**{self.model.tenant_path: organization})

    def _clone(self):
        clone = super()._clone()
        clone._vf_unscoped = self._vf_unscoped
        return clone

    def _check_scope(self) -> None:
        if self._vf_unscoped:
            # Crossing tenants here is deliberate; its subqueries are still checked.
            self.query._vf_unscoped = True
        label = unscoped_in(self.query)
        if label is not None:
            _report(label)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    pass


class TenantModel(models.Model):
    """Abstract base: `tenant_path` is how this model reaches its Organization."""

    tenant_path = "organization"
    tenant_scope_fields: tuple[str, ...] = ("organization",)

    objects = TenantManager()

    class Meta:
        abstract = True
