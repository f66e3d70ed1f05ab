"""Demo declarations and invoices (issue 11): the campaign of last year, closed, with 10250 and
10251 confirmed in January and their invoices paid; this year's campaign open, 10250 confirmed
with its invoice paid, 10251 still to confirm, 10252 (first connection) not yet; and a no-show
invoice of last year for 10251. Loaded once (skipped when a campaign exists)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.domain import billing
from app.extensions import db
from app.models.billing import Campaign, PaymentMeans
from app.models.member import Member
from app.models.user import PortalUser
from app.services import declarations, invoices

# The national average cost is published yearly; 2025's (115.50 EUR) stands in for later years
# in the demo.
AVERAGE = Decimal("115.50")


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _campaign(year: int, opens_on: date, closes_on: date, base_fee: str, staff) -> Campaign:
    campaign = Campaign(
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        base_fee=Decimal(base_fee),
        entry_fee=Decimal("50.00"),
        no_show_fee=Decimal("60.00"),
        national_average_cost=AVERAGE,
        created_at=datetime.combine(opens_on - timedelta(days=10), time(9, 0)),
        created_by_id=staff.id,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _confirm(number: str, username: str, campaign: Campaign, at: datetime):
    declaration, _ = declarations.confirm(_member(number), _user(username), campaign, None, at=at)
    return declaration


def _paid(invoice, staff, days_after: int, means=PaymentMeans.TRANSFER) -> None:
    invoices.record_payment(
        invoice,
        staff,
        paid_on=min(invoice.issued_on + timedelta(days=days_after), clock.today()),
        amount=invoice.total,
        means=means,
        reference=f"VIR {invoice.member_number} {invoice.number}",
    )


def load() -> None:
    if db.session.scalar(select(func.count(Campaign.id))):
        return
    staff = _user("gestion")
    today = clock.today()
    last = today.year - 1
    past = _campaign(last, date(last, 1, 6), date(last, 2, 28), "108.00", staff)
    for number, username, day in (("10250", "ets10250", 14), ("10251", "ets10251", 27)):
        declaration = _confirm(number, username, past, datetime(last, 1, day, 10, 30))
        _paid(declaration.invoice, staff, 21)
    no_show = invoices.issue(
        _member("10251"),
        [
            billing.Line(
                "Absence non excusée à une visite (pénalité)",
                Decimal(1),
                Decimal("60.00"),
                Decimal(0),
            )
        ],
        actor=staff,
        issued_on=date(last, 6, 12),
        note="Absence non excusée du 3 juin",
    )
    _paid(no_show, staff, 40, PaymentMeans.CHEQUE)
    # This year's campaign: open since January, closing a month from now at the earliest.
    closes_on = max(
        date(today.year, 2, 28), min(today + timedelta(days=30), date(today.year, 12, 31))
    )
    opens_on = min(date(today.year, 1, 5), today)  # open today in the first days of January
    current = _campaign(today.year, opens_on, closes_on, "110.00", staff)
    confirmed_at = datetime.combine(max(current.opens_on, today - timedelta(days=20)), time(11, 15))
    declaration = _confirm("10250", "ets10250", current, confirmed_at)
    _paid(declaration.invoice, staff, 12)
    db.session.flush()
