"""Tenancy guard: a member's users only ever reach their own member's rows.

Two session-level listeners (see shared/spec/fab-and-security.md, "Tenancy"):
- `do_orm_execute` adds `member_id = <current member>` to every ORM select, update and delete of a
  member-scoped model (`MemberScoped`: tenant rows, but also user accounts, audit entries and
  e-mail confirmations, whose `member_id` is null for the service's own rows) and `id = <current
  member>` for `Member`, for member users; anonymous requests match nothing. Staff requests, the
  CLI and batch jobs (no request context) are not filtered. Core/`text()` SQL is not covered: the
  application does not use it on tenant data.
- `before_flush` refuses to write a member-scoped row of another member (or any, anonymously), so a
  forged form field or a missed filter cannot create or move a row across members.

The scope is resolved once per request, after Flask-Login loaded the user (`resolve_scope`).
Anonymous flows that must read or write accounts (loading the session's user, checking a login,
activation, password reset) do it inside `system_scope()` after checking their own credentials.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, with_loader_criteria

from app.models.base import MemberScoped
from app.models.member import Member
from app.models.user import PortalUser


class TenantViolationError(PermissionError):
    """A write that would touch another member's data."""


@dataclass(frozen=True)
class Scope:
    member_id: int | None = None  # the member of a member user
    unrestricted: bool = False  # staff, CLI and explicit system work


DENY = Scope()  # anonymous: no tenant row at all
UNRESTRICTED = Scope(unrestricted=True)
# Columns the login itself updates on an anonymous request (FAB's stats and our lock).
LOGIN_COLUMNS = frozenset(
    {"last_login", "login_count", "fail_login_count", "locked_until", "changed_on"}
)


def current_scope() -> Scope:
    if not has_request_context():
        return UNRESTRICTED
    return g.get("tenant_scope", DENY)


def resolve_scope() -> None:
    """before_request: the scope of the logged-in user (after FAB set g.user)."""
    user = current_user
    if not user or not user.is_authenticated:
        g.tenant_scope = DENY
    elif user.member_id is None:
        g.tenant_scope = UNRESTRICTED
    else:
        g.tenant_scope = Scope(member_id=user.member_id)


@contextmanager
def system_scope():
    """Run trusted work (after its own checks) without the tenant filter, then restore."""
    previous = g.get("tenant_scope", DENY)
    g.tenant_scope = UNRESTRICTED
    try:
        yield
    finally:
        g.tenant_scope = previous


def _filter_statement(state) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = current_scope()
    if scope.unrestricted:
        return
    member_id = scope.member_id if scope.member_id is not None else -1
    # Not propagated to the loaded objects' lazy loaders: those loads come through this hook
    # again and get the scope of their own moment (an object loaded before the scope was known,
    # such as the current user, must not carry the anonymous "nothing" into later loads).
    options = {"include_aliases": True, "propagate_to_loaders": False}
    state.statement = state.statement.options(
        with_loader_criteria(MemberScoped, lambda cls: cls.member_id == member_id, **options),
        with_loader_criteria(Member, Member.id == member_id, **options),
    )


def _owner_of(obj) -> tuple[bool, int | None]:
    """Whether the object is tenant data, and the member that owns it."""
    if isinstance(obj, Member):
        return True, obj.id
    if isinstance(obj, MemberScoped):
        return True, obj.member_id
    return False, None


def _login_stats_only(obj) -> bool:
    state = inspect(obj)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return isinstance(obj, PortalUser) and changed <= LOGIN_COLUMNS


def _check_flush(session, _flush_context, _instances) -> None:
    scope = current_scope()
    if scope.unrestricted:
        return
    for obj in [*session.new, *session.dirty, *session.deleted]:
        owned, owner = _owner_of(obj)
        if not owned or (scope.member_id is not None and owner == scope.member_id):
            continue
        if scope.member_id is None and obj in session.dirty and _login_stats_only(obj):
            continue
        raise TenantViolationError(f"{type(obj).__name__} of another member")


def install() -> None:
    """Register the listeners once per process (they are inert outside requests)."""
    if not event.contains(Session, "do_orm_execute", _filter_statement):
        event.listen(Session, "do_orm_execute", _filter_statement)
        event.listen(Session, "before_flush", _check_flush)
