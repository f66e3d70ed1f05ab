"""The e-mail addresses of members' portal contacts (the accounts ticked "contact person"),
shared by the services that write to members: a document sent (issue 10), a campaign's
invitation and reminder (issue 11)."""

from sqlalchemy import select

from app.extensions import db
from app.models.user import PortalUser

_BATCH = 500  # ids per IN (...): far below every database's limit on bound parameters


def addresses(member_ids: list[int]) -> dict[int, list[str]]:
    """The e-mail addresses of each member's active portal contacts (each once, by account)."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(member_ids), _BATCH):
        rows = db.session.execute(
            select(PortalUser.member_id, PortalUser.email)
            .where(PortalUser.member_id.in_(member_ids[start : start + _BATCH]))
            .where(PortalUser.is_portal_contact.is_(True))
            .where(PortalUser.active.is_(True), PortalUser.email.is_not(None))
            .order_by(PortalUser.id)
        )
        for member_id, email in rows:
            if email and email not in found.setdefault(member_id, []):
                found[member_id].append(email)
    return found
