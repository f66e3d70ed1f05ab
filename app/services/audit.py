"""Writing the audit log (who, when, what): rights changes, credentials, declared risks..."""

from app import clock
from app.extensions import db
from app.models.audit import AuditEntry


def record(action: str, *, actor=None, member=None, target: str | None = None, **details):
    entry = AuditEntry(
        at=clock.now(),
        actor_id=getattr(actor, "id", None),
        member_id=getattr(member, "id", None),
        action=action,
        target=target,
        details=details or None,
    )
    db.session.add(entry)
    return entry
