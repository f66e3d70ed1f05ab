"""Members (adhérents): normalised identifiers, the head-office establishment, the rule that a
member keeps at least one establishment, and the open requests that follow the member's team."""

from sqlalchemy import func, select, update

from app.domain.identifiers import check_naf, check_siret
from app.domain.visit_workflow import CANCELLABLE
from app.extensions import db
from app.models.member import Establishment, Member
from app.models.visit import VisitRequest
from app.services import ServiceError


def normalise_member(member: Member) -> None:
    member.siret = check_siret(member.siret or "")[0]
    if member.naf_code:
        member.naf_code = check_naf(member.naf_code)[0]
    member.number = (member.number or "").strip()
    member.name = (member.name or "").strip().upper()


def follow_team(member: Member) -> int:
    """The member's requests not yet given an appointment go to the member's team as it is now
    (or to the queue of requests without a team): a request must not stay with a team that no
    longer follows the member, nor in the no-team queue once the member has one. Scheduled
    requests keep the team whose professional convened the employee. How many moved."""
    team_id = member.health_team.id if member.health_team is not None else None
    with db.session.no_autoflush:  # the member's own changes are flushed by its save
        moved = db.session.execute(
            update(VisitRequest)
            .where(
                VisitRequest.member_id == member.id,
                VisitRequest.status.in_(CANCELLABLE),
                VisitRequest.health_team_id.is_distinct_from(team_id),
            )
            .values(health_team_id=team_id)
            .execution_options(synchronize_session=False)
        )
    return moved.rowcount


def prepare_new_member(member: Member) -> None:
    """A new member starts with its head office as first establishment."""
    normalise_member(member)
    if not member.establishments:
        member.establishments.append(
            Establishment(
                siret=member.siret,
                name=member.name,
                address=member.address,
                postal_code=member.postal_code,
                city=member.city,
                is_head_office=True,
            )
        )


def normalise_establishment(establishment: Establishment) -> None:
    establishment.siret = check_siret(establishment.siret or "")[0]


def check_establishment_removable(establishment: Establishment) -> None:
    count = db.session.scalar(
        select(func.count(Establishment.id)).where(
            Establishment.member_id == establishment.member_id
        )
    )
    if count <= 1:
        raise ServiceError("last_establishment")
