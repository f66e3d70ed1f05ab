"""What the member's "Déclaration" screen shows (manual, chapter 8 "Déclaration d'effectifs";
issue 11): the campaign of the moment and its status, today's workforce per category ("Situation
actuelle"), the figures declared for the annual fee (today's until confirmed, then the frozen
ones) and the history of the member's declarations with their invoices.

A fixed number of statements whatever the member's size: the counts are one grouped query, the
history one joined select.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.domain.billing import DeclarationStatus
from app.extensions import db
from app.models.billing import Campaign, Declaration
from app.services import declarations
from app.services.declarations import Counts


@dataclass(frozen=True)
class Screen:
    year: int  # the campaign's, or this year's when there is none yet
    campaign: Campaign | None
    status: DeclarationStatus
    live: Declaration | None  # the confirmation in force for the campaign's year
    current: Counts  # "Situation actuelle"
    declared: Counts  # "Déclaration cotisation annuelle"
    history: list[Declaration]  # newest first, reopened ones included


def history(member_id: int) -> list[Declaration]:
    """Every declaration of the member, newest first, with who confirmed it and its invoice."""
    return list(
        db.session.scalars(
            select(Declaration)
            .where(Declaration.member_id == member_id)
            .options(joinedload(Declaration.confirmed_by), joinedload(Declaration.invoice))
            .order_by(Declaration.year.desc(), Declaration.confirmed_at.desc(), Declaration.id)
        )
    )


def screen(member_id: int, today: date) -> Screen:
    campaign = declarations.current_campaign(today)
    past = history(member_id)
    live = next(
        (
            declaration
            for declaration in past
            if campaign is not None
            and declaration.year == campaign.year
            and declaration.reopened_at is None
        ),
        None,
    )
    current = declarations.current_counts(member_id, today)
    return Screen(
        year=campaign.year if campaign else today.year,
        campaign=campaign,
        status=declarations.status(campaign, live, today),
        live=live,
        current=current,
        declared=Counts.of_declaration(live) if live else current,
        history=past,
    )


def to_confirm(member_id: int, today: date) -> int | None:
    """The year of the declaration the member has to confirm now, or None (the home's to-do)."""
    campaign = declarations.current_campaign(today)
    if campaign is None:
        return None
    live = declarations.live_declaration(member_id, campaign.year)
    if declarations.status(campaign, live, today) is DeclarationStatus.TO_CONFIRM:
        return campaign.year
    return None
