"""The directory of the service's centres (manual, "Nos centres médicaux"; issue 12): the sites
grouped by sector in the reference data's order (app/data/reference/centres.csv, loaded in file
order, so by id), the mobile centre apart, and the member's own centre and health team first.

Two statements whatever the number of centres: the centres, and the member with its centre and
its team's professionals."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.models.centre import Centre, HealthTeam
from app.models.member import Member

# The sector of the mobile centre in centres.csv: it has no address and goes to the companies.
MOBILE_SECTOR = "MOBILE"


@dataclass(frozen=True)
class Sector:
    name: str
    centres: tuple[Centre, ...]


@dataclass(frozen=True)
class Directory:
    own_centre: Centre | None
    team: HealthTeam | None
    sectors: tuple[Sector, ...]
    mobile: tuple[Centre, ...]

    @property
    def fixed_count(self) -> int:
        return sum(len(sector.centres) for sector in self.sectors)


def directory(session, member_id: int) -> Directory:
    centres = session.scalars(select(Centre).order_by(Centre.id)).all()
    by_sector: dict[str, list[Centre]] = {}
    mobile = []
    for centre in centres:
        if centre.sector.upper() == MOBILE_SECTOR:
            mobile.append(centre)
        else:
            by_sector.setdefault(centre.sector, []).append(centre)
    member = session.scalar(
        select(Member)
        .where(Member.id == member_id)
        .options(
            joinedload(Member.centre),
            joinedload(Member.health_team).joinedload(HealthTeam.centre),
            joinedload(Member.health_team).selectinload(HealthTeam.professionals),
        )
    )
    team = member.health_team if member else None
    own = (member.centre if member else None) or (team.centre if team else None)
    return Directory(
        own_centre=own,
        team=team,
        sectors=tuple(Sector(name, tuple(rows)) for name, rows in by_sector.items()),
        mobile=tuple(mobile),
    )


def map_query(centre: Centre) -> str | None:
    """The address a map application searches for (None for a centre without an address)."""
    if not centre.address and not centre.city:
        return None
    town = " ".join(part for part in (centre.postal_code, centre.city) if part)
    return ", ".join(part for part in (centre.address, town) if part)


def phone_uri(phone: str | None) -> str | None:
    """A French number as a tel: URI in international form: "03 22 24 04 45" -> tel:+33322240445."""
    digits = "".join(char for char in phone or "" if char.isdigit() or char == "+")
    if not digits:
        return None
    if len(digits) == 10 and digits.startswith("0"):
        digits = "+33" + digits[1:]
    return "tel:" + digits
