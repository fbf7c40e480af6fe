"""The tenant scope: which organization the running code acts for.

Every tenant-owned model inherits `TenantModel`. Its default manager filters by the
active scope and raises when there is none, so a view, task or command that forgot to
set a scope fails loudly instead of reading every tenant's rows. Code that must read
across tenants (the deadline sweep, the platform admin) says so with `cross_tenant_scope`,
which is logged (the "redress.system_context" logger) with its reason.

On PostgreSQL the same scope is the second wall: every statement carries it to the
database (core.db.ScopedCursor), whose row-level security policies (core.rls) show a
statement only the rows of its scope's organization, and none at all without a scope.
"""

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class TenantScopeMissing(RuntimeError):
    """A tenant-owned table was queried with no scope set: a bug, never a user's error."""


@dataclass(frozen=True)
class Scope:
    # None means the platform: every tenant, reachable only through cross_tenant_scope().
    organization: Any | None
    reason: str = ""

    @property
    def is_cross_tenant(self) -> bool:
        return self.organization is None


_current_scope: ContextVar[Scope | None] = ContextVar("tenant_scope", default=None)
# What the database is told when no scope is active: nothing, except in the test set-up
# (conftest.py), whose factories write every tenant's rows outside any request or task.
_unscoped_database_scope: ContextVar[Scope | None] = ContextVar(
    "unscoped_database_scope", default=None
)

system_context_log = logging.getLogger("redress.system_context")


def current_scope() -> Scope:
    scope = _current_scope.get()
    if scope is None:
        raise TenantScopeMissing(
            "No tenant scope is active. Wrap the code in organization_scope(...) "
            "or, for deliberate cross-tenant work, cross_tenant_scope(reason=...)."
        )
    return scope


def current_organization():
    return current_scope().organization


def activate(scope: Scope) -> Token:
    return _current_scope.set(scope)


def deactivate(token: Token) -> None:
    _current_scope.reset(token)


def database_scope() -> Scope | None:
    """The scope the database's row-level security sees for the next statement."""
    return _current_scope.get() or _unscoped_database_scope.get()


@contextmanager
def entry_point() -> Iterator[None]:
    """A request or a task starts with no scope at all, whatever the caller had.

    In production that is always so; in tests it keeps the set-up's database access
    (`unscoped_database_scope`) out of the requests and tasks the tests run.
    """
    scope_token = _current_scope.set(None)
    database_token = _unscoped_database_scope.set(None)
    try:
        yield
    finally:
        _unscoped_database_scope.reset(database_token)
        _current_scope.reset(scope_token)


@contextmanager
def unscoped_database_scope(*, reason: str) -> Iterator[None]:
    """Let the database show every tenant's rows to code that sets no scope (test set-up).

    The ORM's tenant managers still refuse to run without a scope.
    """
    token = _unscoped_database_scope.set(Scope(organization=None, reason=reason))
    try:
        yield
    finally:
        _unscoped_database_scope.reset(token)


@contextmanager
def organization_scope(organization) -> Iterator[Scope]:
    if organization is None:
        raise ValueError("organization_scope needs an organization; see cross_tenant_scope.")
    token = activate(Scope(organization=organization))
    try:
        yield current_scope()
    finally:
        deactivate(token)


@contextmanager
def owner_scope(owner) -> Iterator[Scope]:
    """Work done on behalf of another party runs in the scope of the merchant that owns it.

    `owner` is that merchant, its id, or a tenant row of it. A supplier answering a
    merchant's dispute writes the merchant's deadlines, notifications and ledger in the
    merchant's scope (the system context too: the ORM then filters by that merchant).
    """
    if isinstance(owner, models.Model):
        merchant_id = getattr(owner, "merchant_id", None) or owner.pk
    else:
        merchant_id = owner
    scope = _current_scope.get()
    if (
        scope is not None
        and not scope.is_cross_tenant
        and str(scope.organization.pk) == str(merchant_id)
    ):
        yield scope
        return
    if not isinstance(owner, models.Model):
        organization_model = apps.get_model(settings.TENANT_ORGANIZATION_MODEL)
        merchant = organization_model._base_manager.get(pk=merchant_id)
    else:
        merchant = owner.merchant if hasattr(owner, "merchant_id") else owner
    with organization_scope(merchant) as owned:
        yield owned


@contextmanager
def cross_tenant_scope(*, reason: str, by: str = "") -> Iterator[Scope]:
    """The escape hatch: every tenant's rows are visible. Name the reason (and who asked).

    Each entry is logged: the audit trail of deliberate cross-tenant work.
    """
    if not reason:
        raise ValueError("cross_tenant_scope needs a reason.")
    system_context_log.info("system context: %s", reason, extra={"reason": reason, "by": by})
    token = activate(Scope(organization=None, reason=reason))
    try:
        yield current_scope()
    finally:
        deactivate(token)


class TenantScopedManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        scope = current_scope()
        if scope.is_cross_tenant:
            return queryset
        return queryset.filter(self.model.visible_to(scope.organization))


@functools.cache
def _choice_labels(field) -> dict:
    # Keys are the stored values; labels stay lazy, so each call speaks the active language.
    return {make_hashable(value): label for value, label in field.flatchoices}


class TenantModel(models.Model):
    """A row owned by one merchant. Suppliers see it only where `visible_to` says so."""

    merchant = models.ForeignKey(
        settings.TENANT_ORGANIZATION_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=True,
    )

    objects = TenantScopedManager()
    cross_tenant_objects = models.Manager()  # noqa: DJ012 — managers, not fields

    class Meta:
        abstract = True
        base_manager_name = "cross_tenant_objects"

    def _get_FIELD_display(self, field):
        # Django rebuilds the field's whole choice list on every call, translating every
        # label to hash it; a list page calls this several times per row. A cached
        # value → lazy label map translates only the one label shown.
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)

    @classmethod
    def visible_to(cls, organization) -> models.Q:
        """What `organization` may see of this table; override for supplier access."""
        if organization.is_merchant:
            return models.Q(merchant_id=organization.pk)
        if organization.is_supplier and any(f.name == "supplier" for f in cls._meta.fields):
            return models.Q(supplier_id=organization.pk)
        return models.Q(pk__in=[])
