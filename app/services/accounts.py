"""User accounts: creation with roles, identifier checks, the one way a password changes, profile
changes (the current password guards the identifier, the password, the e-mail address and the
portal-contact flag; a new address is used only once confirmed), and unlocking an account locked
by login failures. Issue 3, hardened by issue 8."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain.passwords import check_password, generate_provisional_password
from app.extensions import db
from app.models.account import EmailChangeToken
from app.models.user import PortalUser
from app.security.tenancy import system_scope
from app.services import ServiceError, audit, tokens

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)


def fake_hash() -> str:
    """The decoy hash, checked when there is no real one, so that failing costs the same. Made
    with the portal's own hash method (FAB's built-in decoy may use other parameters)."""
    config = current_app.config
    if "PORTAL_FAKE_PASSWORD_HASH" not in config:
        config["PORTAL_FAKE_PASSWORD_HASH"] = hash_password("decoy password, never valid")
    return config["PORTAL_FAKE_PASSWORD_HASH"]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"])


def role_named(name: str):
    role = current_app.appbuilder.sm.find_role(name)
    if role is None:
        raise LookupError(f"role {name!r} is missing: run `flask setup`")
    return role


def find_user(username: str) -> PortalUser | None:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def identifier_problem(username: str, member=None, user_id: int | None = None) -> str | None:
    """`identifier_is_member_number` (the manual forbids it), or `identifier_taken` when another
    account, of any member or of the service, has this identifier (case-insensitive); the message
    never says whose. Runs unfiltered: identifiers are unique across the whole portal. E-mail
    addresses need not be unique (one accountant may serve several companies)."""
    if member is not None and username.strip().lower() == member.number.lower():
        return "identifier_is_member_number"
    with system_scope():
        taken = db.session.scalar(
            select(PortalUser.id).where(
                func.lower(PortalUser.username) == username.strip().lower(),
                PortalUser.id != (user_id or -1),
            )
        )
    return "identifier_taken" if taken is not None else None


def set_password(user: PortalUser, password: str, *, provisional: bool = False) -> None:
    """The only way a password changes: hash it, end every other session, revoke every
    outstanding link, lift a lock."""
    user.password = hash_password(password)
    user.must_change_password = provisional
    user.locked_until = None
    user.fail_login_count = 0
    user.rotate_session_stamp()
    tokens.revoke_all(user)


def issue_provisional_password(user: PortalUser, actor) -> str:
    """A provisional password to hand over, to change at the next login (audited)."""
    password = generate_provisional_password()
    set_password(user, password, provisional=True)
    audit.record("password_reset_by_admin", actor=actor, member=user.member, target=user.username)
    return password


def update_profile(user: PortalUser, *, current_password: str, new_password: str, **fields):
    """The user's own data. The current password is required to change the identifier, the
    password, the e-mail address or the portal-contact flag. A new e-mail address waits in
    `pending_email` until confirmed (`request_email_change`); returns its token secret, if any."""
    username = fields.pop("username").strip()
    email = fields.pop("email").strip()
    email_changes = email.lower() != (user.email or "").lower()
    contact_changes = fields.get("is_portal_contact", user.is_portal_contact) != (
        user.is_portal_contact
    )
    sensitive = bool(new_password) or username != user.username or email_changes or contact_changes
    if sensitive and not check_password_hash(user.password or fake_hash(), current_password or ""):
        raise ServiceError("wrong_current_password")
    problem = identifier_problem(username, user.member, user.id)
    if problem:
        raise ServiceError(problem)
    if new_password:
        error = check_password(new_password, (username, email, fields["last_name"]))
        if error:
            raise ServiceError(f"password_{error.value}")
        set_password(user, new_password)
    user.username = username
    for name, value in fields.items():
        setattr(user, name, value)
    audit.record("profile_updated", actor=user, member=user.member, target=user.username)
    return request_email_change(user, email) if email_changes else None


def request_email_change(user: PortalUser, new_email: str) -> str:
    """Keep the new address aside and issue the link that confirms it (valid 24 hours)."""
    user.pending_email = new_email
    audit.record("email_change_requested", actor=user, member=user.member, target=user.username)
    return tokens.issue(EmailChangeToken, user, EMAIL_CHANGE_LIFETIME, new_email=new_email)


def confirm_email_change(secret: str) -> tuple[PortalUser, str]:
    """Spend the link and make its address the account's (the one password recovery uses);
    returns the user and the previous address. Outstanding reset links are revoked."""
    token = tokens.spend(EmailChangeToken, secret)
    user = token.user
    previous = user.email
    user.email = token.new_email
    if (user.pending_email or "").lower() == token.new_email.lower():
        user.pending_email = None
    tokens.revoke_all(user)
    audit.record("email_changed", actor=user, member=user.member, target=user.username)
    return user, previous


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
