"""User accounts: creation with roles, identity checks, profile changes, and unlocking an account
locked by login failures."""

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain.passwords import check_password
from app.extensions import db
from app.models.user import PortalUser
from app.services import ServiceError, audit


def fake_hash() -> str:
    """FAB's decoy hash: checked when there is no real one, so that failing costs the same."""
    return current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"])


def role_named(name: str):
    role = current_app.appbuilder.sm.find_role(name)
    if role is None:
        raise LookupError(f"role {name!r} is missing: run `flask setup`")
    return role


def find_user(username: str) -> PortalUser | None:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def identity_problem(username: str, email: str, user_id: int | None = None) -> str | None:
    """`identifier_taken` or `email_taken` when another account uses them (case-insensitive)."""
    for column, value, code in (
        (PortalUser.username, username, "identifier_taken"),
        (PortalUser.email, email, "email_taken"),
    ):
        taken = db.session.scalar(
            select(PortalUser.id).where(
                func.lower(column) == value.strip().lower(), PortalUser.id != (user_id or -1)
            )
        )
        if taken is not None:
            return code
    return None


def update_profile(user: PortalUser, *, current_password: str, new_password: str, **fields):
    """The user's own data. The current password is required to change the identifier or the
    password; a new password ends the user's other sessions."""
    username = fields.pop("username").strip()
    sensitive = bool(new_password) or username != user.username
    if sensitive and not check_password_hash(user.password or fake_hash(), current_password or ""):
        raise ServiceError("wrong_current_password")
    problem = identity_problem(username, fields["email"], user.id)
    if problem:
        raise ServiceError(problem)
    if new_password:
        error = check_password(new_password, (username, fields["email"], fields["last_name"]))
        if error:
            raise ServiceError(f"password_{error.value}")
        user.password = hash_password(new_password)
        user.must_change_password = False
        user.rotate_session_stamp()
    user.username = username
    for name, value in fields.items():
        setattr(user, name, value)
    audit.record("profile_updated", actor=user, member=user.member, target=user.username)


def create_user(*, username, password, roles, **fields) -> PortalUser:
    user = PortalUser(
        username=username,
        password=hash_password(password),
        active=True,
        roles=[role_named(name) for name in roles],
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def unlock(user: PortalUser, actor=None) -> None:
    user.locked_until = None
    user.fail_login_count = 0
    audit.record("account_unlocked", actor=actor, member=user.member, target=user.username)
