"""Access to the portal without a session (manual, "Accéder à votre portail adhérent"):
first connection with the provisional credentials of the letter, and the forgotten password.

Both are anonymous flows: they check their own credentials first, then write inside
`tenancy.system_scope()`. Answers never tell which part of the input was wrong.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app import clock, permissions
from app.domain.passwords import check_password
from app.extensions import db
from app.models.account import PasswordResetToken
from app.models.member import Member, MemberStatus
from app.models.provisioning import ProvisionalCredential
from app.models.user import PortalUser
from app.services import ServiceError, audit
from app.services.accounts import create_user, fake_hash, hash_password, identity_problem

RESET_TOKEN_LIFETIME = timedelta(hours=1)


def check_provisional(number: str, password: str) -> ProvisionalCredential:
    """The usable credential matching the letter's identifier and password, or `bad_provisional`
    (one answer for an unknown member, a wrong password, a used or revoked letter)."""
    credential = db.session.scalar(
        select(ProvisionalCredential)
        .join(Member, Member.id == ProvisionalCredential.member_id)
        .where(
            Member.number == (number or "").strip(),
            Member.status == MemberStatus.ACTIVE,
            ProvisionalCredential.used_at.is_(None),
            ProvisionalCredential.revoked_at.is_(None),
        )
    )
    hashed = credential.password_hash if credential else fake_hash()
    if not check_password_hash(hashed, password or "") or credential is None:
        raise ServiceError("bad_provisional")
    return credential


def activate(credential: ProvisionalCredential, *, username, password, **fields) -> PortalUser:
    """Create the member's portal administrator and spend the provisional credential."""
    if not credential.is_usable:
        raise ServiceError("bad_provisional")
    member = credential.member
    if username.strip().lower() == member.number.lower():
        raise ServiceError("identifier_is_member_number")
    problem = identity_problem(username, fields["email"]) or _password_problem(
        password, username, member, fields
    )
    if problem:
        raise ServiceError(problem)
    user = create_user(
        username=username.strip(),
        password=password,
        roles=[permissions.ROLE_MEMBER, permissions.ROLE_MEMBER_ADMIN],
        member_id=member.id,
        is_portal_contact=True,
        **fields,
    )
    credential.used_at = clock.now()
    audit.record("portal_activated", actor=user, member=member, target=user.username)
    return user


def _password_problem(password, username, member, fields) -> str | None:
    error = check_password(
        password, (username, member.number, fields.get("last_name"), fields.get("email"))
    )
    return f"password_{error.value}" if error else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(number: str, email: str) -> tuple[PortalUser, str] | None:
    """A reset token for the portal contact of the member (found by member number; invoice
    numbers join when invoices exist) whose e-mail matches; None when nothing matches."""
    number = (number or "").strip()
    email = (email or "").strip().lower()
    user = db.session.scalar(
        select(PortalUser)
        .join(Member, Member.id == PortalUser.member_id)
        .where(
            Member.number == number,
            func.lower(PortalUser.email) == email,
            PortalUser.is_portal_contact.is_(True),
            PortalUser.active.is_(True),
        )
    )
    token = secrets.token_urlsafe(32)  # drawn either way: same work whether or not it matches
    if user is None:
        return None
    now = clock.now()
    db.session.add(
        PasswordResetToken(
            member_id=user.member_id,
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + RESET_TOKEN_LIFETIME,
        )
    )
    audit.record("password_reset_requested", member=user.member, target=user.username)
    return user, token


def usable_token(token: str) -> PasswordResetToken:
    found = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if found is None or found.used_at is not None or found.expires_at <= clock.now():
        raise ServiceError("bad_token")
    return found


def reset_password(token: str, password: str) -> PortalUser:
    """Set the new password, spend the token, end every other session, lift a lock."""
    found = usable_token(token)
    user = found.user
    error = check_password(password, (user.username, user.email, user.last_name))
    if error:
        raise ServiceError(f"password_{error.value}")
    user.password = hash_password(password)
    user.must_change_password = False
    user.locked_until = None
    user.fail_login_count = 0
    user.rotate_session_stamp()
    found.used_at = clock.now()
    audit.record("password_reset", actor=user, member=user.member, target=user.username)
    return user
