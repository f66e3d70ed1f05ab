"""The service's declaration campaigns (issue 11, "Campaign and tariffs"; domain-rules.md §5): a
campaign per year with its dates and tariff. The base fee per employee must lie between 80 % and
120 % of the year's national average cost (app.domain.billing.base_fee_bounds); once a
declaration of the year is confirmed, invoices were issued with the tariff, so only the closing
date may still change."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import case, exists, func, select

from app import clock
from app.domain import billing
from app.extensions import db
from app.models.billing import Campaign, Declaration
from app.models.employee import Employee
from app.models.member import Member, MemberStatus
from app.services import ServiceError, audit
from app.services.employee_list import in_workforce

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Tariff:
    """What staff type for a campaign."""

    opens_on: date
    closes_on: date
    base_fee: Decimal
    entry_fee: Decimal | None
    no_show_fee: Decimal | None
    national_average_cost: Decimal


@dataclass(frozen=True)
class Overview:
    campaign: Campaign
    confirmed: int
    without_employees: int
    to_confirm: int


def national_average_cost(year: int) -> Decimal | None:
    """The published cost of the year, when the settings know it (NATIONAL_AVERAGE_COSTS)."""
    known = current_app.config["NATIONAL_AVERAGE_COSTS"].get(year)
    return Decimal(known) if known else None


def fees_locked(campaign: Campaign) -> bool:
    """Whether a declaration of the year was ever confirmed (invoiced with this tariff)."""
    return bool(db.session.scalar(select(exists().where(Declaration.year == campaign.year))))


def _check(tariff: Tariff) -> None:
    if tariff.closes_on <= tariff.opens_on:
        raise ServiceError("campaign_dates")
    if not billing.base_fee_allowed(tariff.base_fee, tariff.national_average_cost):
        low, high = billing.base_fee_bounds(tariff.national_average_cost)
        raise ServiceError(
            "base_fee_out_of_bounds", low=low, high=high, average=tariff.national_average_cost
        )


def _fees(tariff: Tariff) -> tuple:
    return (tariff.base_fee, tariff.entry_fee, tariff.no_show_fee, tariff.national_average_cost)


def _current_fees(campaign: Campaign) -> tuple:
    return (
        campaign.base_fee,
        campaign.entry_fee,
        campaign.no_show_fee,
        campaign.national_average_cost,
    )


def create(year: int, tariff: Tariff, actor) -> Campaign:
    """Open the campaign of a year (refused when the year has one, or the tariff is wrong)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError("campaign_year")
    _check(tariff)
    if db.session.scalar(select(exists().where(Campaign.year == year))):
        raise ServiceError("campaign_exists", year=year)
    campaign = Campaign(year=year, created_at=clock.now(), created_by_id=getattr(actor, "id", None))
    _apply(campaign, tariff)
    db.session.add(campaign)
    db.session.flush()
    audit.record("campaign.created", actor=actor, target=str(year), **_details(tariff))
    return campaign


def update(campaign: Campaign, tariff: Tariff, actor) -> Campaign:
    """Change a campaign's dates and tariff; the fees and the opening date are fixed once a
    declaration of the year is confirmed (only the closing date moves then)."""
    _check(tariff)
    if fees_locked(campaign) and (
        _fees(tariff) != _current_fees(campaign) or tariff.opens_on != campaign.opens_on
    ):
        raise ServiceError("campaign_tariff_locked")
    _apply(campaign, tariff)
    db.session.flush()
    audit.record("campaign.changed", actor=actor, target=str(campaign.year), **_details(tariff))
    return campaign


def _apply(campaign: Campaign, tariff: Tariff) -> None:
    campaign.opens_on = tariff.opens_on
    campaign.closes_on = tariff.closes_on
    campaign.base_fee = tariff.base_fee
    campaign.entry_fee = tariff.entry_fee
    campaign.no_show_fee = tariff.no_show_fee
    campaign.national_average_cost = tariff.national_average_cost


def _details(tariff: Tariff) -> dict:
    """The audit's details: JSON-able text (dates ISO, amounts as typed in the database)."""
    return {
        "opens_on": tariff.opens_on.isoformat(),
        "closes_on": tariff.closes_on.isoformat(),
        "base_fee": str(tariff.base_fee),
        "entry_fee": None if tariff.entry_fee is None else str(tariff.entry_fee),
        "no_show_fee": None if tariff.no_show_fee is None else str(tariff.no_show_fee),
        "national_average_cost": str(tariff.national_average_cost),
    }


def overview(today: date) -> list[Overview]:
    """Every campaign, latest first, with its progress among the active members (confirmed,
    without employees today and not confirmed, to confirm), in one statement: the confirmations
    grouped by year, the members without employees counted once."""
    active = Member.status == MemberStatus.ACTIVE
    unstaffed = ~exists().where(Employee.member_id == Member.id, in_workforce(today))
    confirmed = (
        select(
            Declaration.year,
            func.count(Declaration.id).label("done"),
            func.sum(case((unstaffed, 1), else_=0)).label("unstaffed"),
        )
        .join(Member, Member.id == Declaration.member_id)
        .where(active, Declaration.reopened_at.is_(None))
        .group_by(Declaration.year)
        .subquery()
    )
    members = select(func.count(Member.id)).where(active).scalar_subquery()
    without = select(func.count(Member.id)).where(active, unstaffed).scalar_subquery()
    rows = db.session.execute(
        select(
            Campaign,
            func.coalesce(confirmed.c.done, 0),
            without - func.coalesce(confirmed.c.unstaffed, 0),
            members,
        )
        .outerjoin(confirmed, confirmed.c.year == Campaign.year)
        .order_by(Campaign.year.desc())
    )
    return [
        Overview(campaign, done, none, total - done - none) for campaign, done, none, total in rows
    ]
