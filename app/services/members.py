"""Members (adhérents): normalised identifiers, the head-office establishment, and the rule that a
member keeps at least one establishment."""

from sqlalchemy import func, select

from app.domain.identifiers import check_naf, check_siret
from app.extensions import db
from app.models.member import Establishment, Member
from app.services import ServiceError


def normalise_member(member: Member) -> None:
    member.siret = check_siret(member.siret or "")[0]
    if member.naf_code:
        member.naf_code = check_naf(member.naf_code)[0]
    member.number = (member.number or "").strip()
    member.name = (member.name or "").strip().upper()


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
