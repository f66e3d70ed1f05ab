"""Single-use links (password reset, e-mail change confirmation): a random secret sent by mail,
only its SHA-256 stored, an expiry, and spending by one conditional UPDATE that must change exactly
one row, in the caller's transaction, so that two requests at once cannot both use it (issue 8).
Any password change revokes every outstanding link of the account."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.models.account import EmailChangeToken, PasswordResetToken, SingleUseTokenMixin
from app.services import ServiceError

TOKEN_MODELS = (PasswordResetToken, EmailChangeToken)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(model: type[SingleUseTokenMixin], user, lifetime: timedelta, **fields) -> str:
    """Store a new token of `model` for the user; returns the secret (for the link only)."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        model(
            member_id=user.member_id,
            user_id=user.id,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + lifetime,
            **fields,
        )
    )
    return secret


def usable(model: type[SingleUseTokenMixin], secret: str):
    """The unspent, unexpired token of this secret, or `bad_token`."""
    found = db.session.scalar(select(model).where(model.token_hash == digest(secret or "")))
    if found is None or found.used_at is not None or found.expires_at <= clock.now():
        raise ServiceError("bad_token")
    return found


def spend(model: type[SingleUseTokenMixin], secret: str):
    """Mark the token used, atomically: of two requests at once, one gets `bad_token`."""
    found = usable(model, secret)
    now = clock.now()
    spent = db.session.execute(
        update(model)
        .where(model.id == found.id, model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if spent != 1:
        raise ServiceError("bad_token")
    db.session.refresh(found)
    return found


def revoke_all(user) -> None:
    """Every outstanding link of the account stops working (after any password change)."""
    now = clock.now()
    for model in TOKEN_MODELS:
        db.session.execute(
            update(model)
            .where(model.user_id == user.id, model.used_at.is_(None))
            .values(used_at=now),
            execution_options={"synchronize_session": False},
        )
