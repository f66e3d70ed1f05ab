"""Invoice numbers and money under concurrency (issue 11, "gapless and sequential per year ...
safe under concurrency on PostgreSQL and SQLite"): threads issuing at once get consecutive
numbers, a rolled-back issue gives its number back, two credits of one invoice make one credit
note, two payments at once cannot exceed the total. (Two first PDF downloads at once keeping one
content: tests/services/test_invoice_pdf.py.) Each thread has its own app context, so its own
session and connection, as two requests would."""

import threading
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.domain import billing
from app.extensions import db
from app.models.billing import Invoice, InvoiceKind, Payment, PaymentMeans
from app.models.member import Member
from app.models.user import PortalUser
from app.services import ServiceError, invoices

THREADS = 6


def _member_id(number: str) -> int:
    return db.session.scalar(select(Member.id).where(Member.number == number))


def _staff() -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == "gestion"))


def _line(amount="100.00") -> list[billing.Line]:
    return [billing.Line("Prestation", Decimal(1), Decimal(amount), Decimal(0))]


def _sequences() -> list[int]:
    year = clock.today().year
    query = select(Invoice.sequence).where(Invoice.year == year).order_by(Invoice.sequence)
    return list(db.session.scalars(query))


def _at_once(app, work, count=THREADS) -> tuple[list, list]:
    """Run `work(n)` in `count` threads released together; (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        with app.app_context():
            try:
                barrier.wait()
                results.append(work(n))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - returned to the test
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, errors


def test_invoices_issued_at_once_get_consecutive_numbers(app):
    with app.app_context():
        before = _sequences()
        member_ids = [_member_id("10250"), _member_id("10251")]

    def issue(n):
        member = db.session.get(Member, member_ids[n % 2])
        return invoices.issue(member, _line(), note=f"thread {n}").number

    numbers, errors = _at_once(app, issue)

    assert errors == []
    assert len(set(numbers)) == THREADS
    with app.app_context():
        sequences = _sequences()
        stored = set(db.session.scalars(select(Invoice.number).where(Invoice.note.like("thread%"))))
    assert sequences == list(range(1, len(before) + THREADS + 1))
    assert stored == set(numbers)


def test_a_rolled_back_issue_gives_its_number_back(app):
    with app.app_context():
        member = db.session.get(Member, _member_id("10251"))
        lost = invoices.issue(member, _line()).number
        db.session.rollback()
        kept = invoices.issue(member, _line()).number
        db.session.commit()
        sequences = _sequences()

    assert kept == lost
    assert sequences == list(range(1, len(sequences) + 1))


def test_two_credits_of_one_invoice_at_once_make_one_credit_note(app):
    with app.app_context():
        member = db.session.get(Member, _member_id("10251"))
        invoice_id = invoices.issue(member, _line("250.00")).id
        db.session.commit()

    def credit(n):
        return invoices.credit(db.session.get(Invoice, invoice_id), _staff(), f"Erreur {n}").id

    notes, errors = _at_once(app, credit, count=2)

    assert len(notes) == 1
    assert [e.code for e in errors if isinstance(e, ServiceError)] == ["invoice_already_credited"]
    with app.app_context():
        credited = db.session.scalars(select(Invoice).where(Invoice.credits_id == invoice_id)).all()
        assert [c.id for c in credited] == notes
        assert credited[0].kind is InvoiceKind.CREDIT_NOTE
        assert db.session.get(Invoice, invoice_id).credited_by_id == notes[0]
        sequences = _sequences()
    assert sequences == list(range(1, len(sequences) + 1))


def test_two_payments_at_once_cannot_exceed_the_total(app):
    with app.app_context():
        member = db.session.get(Member, _member_id("10251"))
        invoice_id = invoices.issue(member, _line("250.00")).id
        db.session.commit()

    def pay(n):
        return invoices.record_payment(
            db.session.get(Invoice, invoice_id),
            _staff(),
            paid_on=clock.today(),
            amount=Decimal("200.00"),
            means=PaymentMeans.TRANSFER,
            reference=f"VIR {n}",
        ).id

    paid, errors = _at_once(app, pay, count=2)

    assert len(paid) == 1
    assert [e.code for e in errors if isinstance(e, ServiceError)] == ["payment_above_balance"]
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).paid_total == Decimal("200.00")
        assert (
            db.session.scalar(
                select(func.count(Payment.id)).where(Payment.invoice_id == invoice_id)
            )
            == 1
        )
