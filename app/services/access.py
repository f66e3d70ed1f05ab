"""Access to the portal without a session (manual, "Accéder à votre portail adhérent"):
first connection with the provisional credentials of the letter, and the forgotten password.

Both are anonymous flows: they check their own credentials first, then write inside
`tenancy.system_scope()`. Answers never tell which part of the input was wrong. The letter and the
reset link are single use even under concurrent requests: each is spent by a conditional UPDATE
that must change exactly one row, in the transaction that uses it (issue 8).
"""

from datetime import timedelta

from sqlalchemy import func, or_, select, update
from werkzeug.security import check_password_hash

from app import clock, permissions
from app.domain.passwords import check_password
from app.extensions import db
from app.models.account import PasswordResetToken
from app.models.billing import Invoice
from app.models.member import Member, MemberStatus
from app.models.provisioning import ProvisionalCredential
from app.models.user import PortalUser
from app.services import ServiceError, audit, tokens
from app.services.accounts import create_user, fake_hash, identifier_problem, set_password

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
            ProvisionalCredential.is_usable,
        )
    )
    hashed = credential.password_hash if credential else fake_hash()
    if not check_password_hash(hashed, password or "") or credential is None:
        raise ServiceError("bad_provisional")
    return credential


def _spend_credential(credential: ProvisionalCredential) -> None:
    spent = db.session.execute(
        update(ProvisionalCredential)
        .where(ProvisionalCredential.id == credential.id, ProvisionalCredential.is_usable)
        .values(used_at=clock.now()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if spent != 1:
        raise ServiceError("bad_provisional")


def activate(credential: ProvisionalCredential, *, username, password, **fields) -> PortalUser:
    """Create the member's portal administrator and spend the provisional credential."""
    member = credential.member
    problem = identifier_problem(username, member) or _password_problem(
        password, username, member, fields
    )
    if problem:
        raise ServiceError(problem)
    _spend_credential(credential)  # first: a concurrent activation waits here, then fails
    user = create_user(
        username=username.strip(),
        password=password,
        roles=[permissions.ROLE_MEMBER, permissions.ROLE_MEMBER_ADMIN],
        member_id=member.id,
        is_portal_contact=True,
        **fields,
    )
    audit.record("portal_activated", actor=user, member=member, target=user.username)
    return user


def _password_problem(password, username, member, fields) -> str | None:
    error = check_password(
        password, (username, member.number, fields.get("last_name"), fields.get("email"))
    )
    return f"password_{error.value}" if error else None


def request_reset(number: str, email: str) -> tuple[PortalUser, str] | None:
    """A reset token for the portal contact of the member (found by its member number or by the
    number of one of its invoices or credit notes, as the form says) whose confirmed e-mail
    matches; None when nothing matches. One query whichever matched; the caller runs it after
    the response, so that its cost tells nothing."""
    number = (number or "").strip()
    email = (email or "").strip().lower()
    by_invoice = select(Invoice.member_id).where(Invoice.number == number)
    user = db.session.scalar(
        select(PortalUser)
        .join(Member, Member.id == PortalUser.member_id)
        .where(
            or_(Member.number == number, Member.id.in_(by_invoice)),
            func.lower(PortalUser.email) == email,
            PortalUser.is_portal_contact.is_(True),
            PortalUser.active.is_(True),
        )
        .order_by(PortalUser.id)
        .limit(1)
    )
    if user is None:
        return None
    secret = tokens.issue(PasswordResetToken, user, RESET_TOKEN_LIFETIME)
    audit.record("password_reset_requested", member=user.member, target=user.username)
    return user, secret


def usable_token(token: str) -> PasswordResetToken:
    return tokens.usable(PasswordResetToken, token)


def reset_password(token: str, password: str) -> PortalUser:
    """Set the new password, spend the link (and every other of the account), end every other
    session, lift a lock."""
    user = usable_token(token).user
    error = check_password(password, (user.username, user.email, user.last_name))
    if error:
        raise ServiceError(f"password_{error.value}")
    tokens.spend(PasswordResetToken, token)
    set_password(user, password)
    audit.record("password_reset", actor=user, member=user.member, target=user.username)
    return user
