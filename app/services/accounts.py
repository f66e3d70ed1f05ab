"""User accounts: creation with roles, and unlocking an account locked by login failures."""

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models.user import PortalUser
from app.services import audit


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"])


def role_named(name: str):
    role = current_app.appbuilder.sm.find_role(name)
    if role is None:
        raise LookupError(f"role {name!r} is missing: run `flask setup`")
    return role


def find_user(username: str) -> PortalUser | None:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


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
