"""Invoicing a year's declarations from the command line (issue 11): the live declarations
without an invoice invoiced, with --unconfirmed the members that did not confirm confirmed on the
service's behalf first, by batches with progress, a second run creating nothing, a failing member
counted without stopping the run nor leaving a gap in the numbers."""

from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.billing import Declaration, Invoice
from app.models.member import Member
from app.services import declarations, invoice_runs, invoices


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _count(model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def _year() -> int:
    return clock.today().year


def _sequences(year: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Invoice.sequence).where(Invoice.year == year).order_by("sequence")
        )
    )


def _uninvoiced_declaration(number: str) -> int:
    """A live declaration without its invoice (as if its invoicing had been lost)."""
    member = _member(number)
    declaration = Declaration(
        member_id=member.id,
        year=_year(),
        confirmed_at=clock.now(),
        sir_count=1,
        sia_count=0,
        si_count=2,
    )
    db.session.add(declaration)
    db.session.commit()
    return declaration.id


def _invoke(app, *args):
    with app.app_context():  # plain click commands: the caller gives the app context
        return app.test_cli_runner().invoke(args=["invoice-declarations", *args])


def test_the_command_confirms_the_members_left_and_invoices_them_once(app):
    with app.app_context():
        campaign = declarations.campaign_of(_year())
        waiting = invoice_runs.unconfirmed_member_ids(campaign)
        member_10250, member_10251 = _member("10250").id, _member("10251").id
        assert member_10251 in waiting and member_10250 not in waiting
        invoices_before = _count(Invoice)
    result = _invoke(app, str(_year()), "--unconfirmed")

    assert result.exit_code == 0, result.output
    assert f"confirmed: {len(waiting)}/{len(waiting)}" in result.output
    assert f"{len(waiting)} declarations confirmed by the service" in result.output
    with app.app_context():
        declaration = declarations.live_declaration(member_10251, _year())
        assert declaration.confirmed_by_id is None and declaration.invoice_id is not None
        assert declaration.invoice.member_number == "10251"
        assert _count(Invoice) == invoices_before + len(waiting)
        assert invoice_runs.unconfirmed_member_ids(campaign) == []
        sequences = _sequences(_year())
        assert sequences == list(range(1, len(sequences) + 1))

    again = _invoke(app, str(_year()), "--unconfirmed")

    assert again.exit_code == 0, again.output
    assert "0 declarations confirmed by the service, 0 invoices issued, 0 failures" in again.output
    with app.app_context():
        assert _count(Invoice) == invoices_before + len(waiting)


def test_without_unconfirmed_only_the_uninvoiced_declarations_are_invoiced(app):
    with app.app_context():
        declaration_id = _uninvoiced_declaration("10251")
        declarations_before = _count(Declaration)
        outcome = invoice_runs.run(declarations.campaign_of(_year()))
        campaign = declarations.campaign_of(_year())

        assert (outcome.confirmed, outcome.invoiced, outcome.failed) == (0, 1, [])
        declaration = db.session.get(Declaration, declaration_id)
        invoice = declaration.invoice
        assert invoice.total == 3 * campaign.base_fee
        assert _count(Declaration) == declarations_before
        assert invoice_runs.uninvoiced_declaration_ids(_year()) == []
        again = invoice_runs.run(declarations.campaign_of(_year()))
        assert (again.confirmed, again.invoiced) == (0, 0)


def test_the_work_goes_by_batches_with_progress(app, monkeypatch):
    monkeypatch.setattr(invoice_runs, "BATCH", 1)
    seen = []
    with app.app_context():
        for number in ("10251", "10252"):
            _uninvoiced_declaration(number)
        outcome = invoice_runs.run(
            declarations.campaign_of(_year()), progress=lambda *step: seen.append(step)
        )

    assert outcome.invoiced == 2
    assert seen == [("invoiced", 1, 2), ("invoiced", 2, 2)]


def test_a_failing_member_is_counted_and_leaves_no_gap(app, monkeypatch):
    with app.app_context():
        first = _uninvoiced_declaration("10251")
        second = _uninvoiced_declaration("10252")
        real = invoices.invoice_declaration

        def failing(declaration, *args, **kwargs):
            if declaration.id == first:
                raise RuntimeError("printer on fire")
            return real(declaration, *args, **kwargs)

        monkeypatch.setattr(invoices, "invoice_declaration", failing)
        outcome = invoice_runs.run(declarations.campaign_of(_year()))

        assert outcome.invoiced == 1
        assert outcome.failed == [f"{first}: printer on fire"]
        assert db.session.get(Declaration, first).invoice_id is None
        assert db.session.get(Declaration, second).invoice_id is not None
        sequences = _sequences(_year())
        assert sequences == list(range(1, len(sequences) + 1))


def test_an_unknown_year_or_a_campaign_not_open_is_refused(app):
    unknown = _invoke(app, "1999")
    assert unknown.exit_code != 0 and "no declaration campaign for 1999" in unknown.output
    with app.app_context():
        campaign = declarations.campaign_of(_year())
        campaign.opens_on = clock.today() + timedelta(days=1)
        db.session.commit()
        before = _count(Declaration)
    early = _invoke(app, str(_year()), "--unconfirmed")
    assert early.exit_code != 0 and "campaign_not_open" in early.output
    with app.app_context():
        assert _count(Declaration) == before
