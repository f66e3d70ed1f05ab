"""A member administrator's management of the company's user accounts (manual, "Gestion de votre
profil et des différents profils utilisateurs": profils, créer un compte utilisateur, droits).

Rights are roles from the catalogue of app.permissions; whatever a form sends is checked here
again. The company keeps at least one active administrator. Every rights change and deletion is
written to the audit log. Several users may be portal contacts (any of them can recover access).
"""

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import permissions
from app.domain.passwords import generate_provisional_password
from app.extensions import db
from app.models.user import PortalUser
from app.services import ServiceError, audit
from app.services.accounts import (
    create_user,
    identifier_problem,
    issue_provisional_password,
    role_named,
)
from app.services.locks import lock_member

GRANTABLE = permissions.PORTAL_RIGHT_ROLES | {permissions.ROLE_MEMBER_ADMIN}


def company_users(member_id: int) -> list[PortalUser]:
    """The member's accounts with their roles (the list shows each one's rights): two
    statements, whatever the number of accounts."""
    return list(
        db.session.scalars(
            select(PortalUser)
            .where(PortalUser.member_id == member_id)
            .options(selectinload(PortalUser.roles))
            .order_by(PortalUser.id)
        )
    )


def is_admin(user: PortalUser) -> bool:
    return any(role.name == permissions.ROLE_MEMBER_ADMIN for role in user.roles)


def rights_of(user: PortalUser) -> set[str]:
    return {role.name for role in user.roles} & GRANTABLE


def _other_active_admins(user: PortalUser) -> int:
    return db.session.scalar(
        select(func.count(PortalUser.id))
        .join(PortalUser.roles)
        .where(
            PortalUser.member_id == user.member_id,
            PortalUser.id != user.id,
            PortalUser.active.is_(True),
            Role.name == permissions.ROLE_MEMBER_ADMIN,
        )
    )


def _keep_an_admin(user: PortalUser) -> None:
    """Refuse to remove the company's last active administrator; two administrators removing
    each other at the same moment are serialised on the member's row (the second sees the
    first's change)."""
    if is_admin(user) and user.active:
        lock_member(user.member_id)
        if _other_active_admins(user) == 0:
            raise ServiceError("last_admin")


def create_collaborator(admin: PortalUser, **fields) -> tuple[PortalUser, str]:
    """A new account of the admin's company with a provisional password to change at login."""
    problem = identifier_problem(fields["username"], admin.member)
    if problem:
        raise ServiceError(problem)
    password = generate_provisional_password()
    user = create_user(
        password=password,
        roles=[permissions.ROLE_MEMBER],
        member_id=admin.member_id,
        must_change_password=True,
        **fields,
    )
    audit.record("account_created", actor=admin, member=admin.member, target=user.username)
    return user, password


def reset_password(admin: PortalUser, user: PortalUser) -> str:
    return issue_provisional_password(user, actor=admin)


def set_active(admin: PortalUser, user: PortalUser, active: bool) -> None:
    if not active:
        _keep_an_admin(user)
        user.rotate_session_stamp()
    user.active = active
    audit.record(
        "account_active", actor=admin, member=admin.member, target=user.username, active=active
    )


def set_portal_contact(admin: PortalUser, user: PortalUser, contact: bool) -> None:
    user.is_portal_contact = contact
    audit.record(
        "portal_contact", actor=admin, member=admin.member, target=user.username, contact=contact
    )


def set_rights(admin: PortalUser, user: PortalUser, wanted: set[str]) -> None:
    """Replace the user's rights by `wanted` (roles of the catalogue only)."""
    if not wanted <= GRANTABLE:
        raise ServiceError("unknown_right")
    before = rights_of(user)
    if permissions.ROLE_MEMBER_ADMIN in before - wanted:
        _keep_an_admin(user)
    kept = [role for role in user.roles if role.name not in GRANTABLE]
    user.roles = kept + [role_named(name) for name in sorted(wanted)]
    audit.record(
        "rights_changed",
        actor=admin,
        member=admin.member,
        target=user.username,
        before=sorted(before),
        after=sorted(wanted),
    )


def set_employees_admin(admin: PortalUser, user: PortalUser, value: bool) -> None:
    """The list's "Admin Salariés" box: full rights on employees."""
    write = "right.employees.write"
    held = rights_of(user)
    set_rights(admin, user, held | {write} if value else held - {write})


def delete_account(admin: PortalUser, user: PortalUser) -> None:
    _keep_an_admin(user)
    audit.record(
        "account_deleted",
        actor=admin,
        member=admin.member,
        target=user.username,
        rights=sorted(rights_of(user)),
    )
    db.session.delete(user)
