"""Provisional credentials for a member's first connection (manual, "Première connexion").

The identifier is the member number; the password is generated here, returned once to be printed
on the letter, and stored hashed only. Issuing new credentials revokes the previous ones, also
when two staff users issue at the same moment (`lock_member`, then one set-based UPDATE revokes
whatever is usable): a member never holds two usable letters.
"""

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from app import clock
from app.domain.passwords import generate_provisional_password
from app.extensions import db
from app.models.member import Member, MemberStatus
from app.models.provisioning import ProvisionalCredential
from app.models.user import PortalUser
from app.services import ServiceError, audit
from app.services.locks import lock_member


def has_portal_account(member: Member) -> bool:
    return (
        db.session.scalar(select(PortalUser.id).where(PortalUser.member_id == member.id).limit(1))
        is not None
    )


def usable_credential(member: Member) -> ProvisionalCredential | None:
    return db.session.scalars(
        select(ProvisionalCredential)
        .where(ProvisionalCredential.member_id == member.id, ProvisionalCredential.is_usable)
        .limit(1)
    ).first()


def issue_credentials(member: Member, issued_by=None, password: str | None = None) -> str:
    """New provisional credentials for `member`; returns the clear password (for the letter)."""
    if member.status != MemberStatus.ACTIVE:
        raise ServiceError("member_resigned")
    if has_portal_account(member):
        raise ServiceError("already_activated")
    now = clock.now()
    lock_member(member.id)
    revoked = db.session.execute(
        update(ProvisionalCredential)
        .where(ProvisionalCredential.member_id == member.id, ProvisionalCredential.is_usable)
        .values(revoked_at=now),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    password = password or generate_provisional_password()
    db.session.add(
        ProvisionalCredential(
            member_id=member.id,
            password_hash=generate_password_hash(
                password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"]
            ),
            issued_at=now,
            issued_by_id=getattr(issued_by, "id", None),
        )
    )
    audit.record(
        "provisional_credentials_issued",
        actor=issued_by,
        member=member,
        target=member.number,
        revoked_previous=revoked,
    )
    db.session.flush()
    return password
