"""The service's invoices (issue 11): the list with its filters, sorts and totals, an invoice's
page, its PDF, recording payments, credit notes, hand-made invoices (the no-show preset), the
accounting export re-read, bad input refused in French with nothing saved, staff only, and the
statements of a page independent of its rows."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pypdf
import pytest
from lxml import html
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.domain import billing
from app.extensions import db
from app.models.billing import Invoice, InvoiceKind, Payment, PaymentMeans
from app.models.member import Member
from app.models.user import PortalUser
from app.services import invoices
from tests.conftest import csrf_token
from tests.views.test_same_work import statements_of

LIST = "/backoffice/invoices/"
NEW = "/backoffice/invoices/new"


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _staff_user() -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == "gestion"))


def _issue(app, number="10251", amount="250.00", issued_on=None) -> int:
    """A hand-made unpaid invoice; its id."""
    with app.app_context():
        invoice = invoices.issue(
            _member(number),
            [billing.Line("Prestation", Decimal(1), Decimal(amount), Decimal(0))],
            actor=_staff_user(),
            issued_on=issued_on,
        )
        db.session.commit()
        return invoice.id


def _numbers(response) -> list[str]:
    tree = html.fromstring(response.get_data(as_text=True))
    return tree.xpath("//table[@id='invoice-rows']/tbody/tr/@data-number")


def _text(response, element_id: str) -> str:
    tree = html.fromstring(response.get_data(as_text=True))
    return " ".join(tree.get_element_by_id(element_id).text_content().split())


def _all_numbers(app, **where) -> list[str]:
    with app.app_context():
        query = select(Invoice.number).filter_by(**where).order_by(Invoice.number)
        return list(db.session.scalars(query))


def test_the_list_shows_every_invoice_newest_first_with_the_totals(app, staff):
    response = staff.get(LIST)

    assert response.status_code == 200
    numbers = _numbers(response)
    assert sorted(numbers) == _all_numbers(app)
    assert numbers[0].startswith(str(clock.today().year))
    with app.app_context():
        total = db.session.scalar(select(func.sum(Invoice.total)).select_from(Invoice))
    sums = _text(response, "invoice-sums")
    # Every demo invoice is paid: nothing left to pay.
    assert billing.french_amount(Decimal(total)).replace("\u00a0", " ") in sums.replace(
        "\u00a0", " "
    )
    assert "0,00" in sums


def test_the_filters_narrow_the_list(app, staff):
    late_id = _issue(app, issued_on=clock.today() - timedelta(days=90))
    with app.app_context():
        late = db.session.get(Invoice, late_id).number
    year = clock.today().year

    assert _numbers(staff.get(LIST, query_string={"status": "late"})) == [late]
    assert _numbers(staff.get(LIST, query_string={"status": "unpaid"})) == [late]
    paid = _numbers(staff.get(LIST, query_string={"status": "paid"}))
    assert late not in paid and len(paid) == len(_all_numbers(app)) - 1
    by_year = _numbers(staff.get(LIST, query_string={"year": str(year - 1)}))
    assert by_year and all(n.startswith(f"{year - 1}-") for n in by_year)
    by_member = _numbers(staff.get(LIST, query_string={"member": "10250"}))
    assert sorted(by_member) == _all_numbers(app, member_number="10250")
    by_name = _numbers(staff.get(LIST, query_string={"member": "boulangerie"}))
    assert sorted(by_name) == sorted(by_member)
    assert _numbers(staff.get(LIST, query_string={"number": late})) == [late]
    assert _numbers(staff.get(LIST, query_string={"kind": "credit_note"})) == []
    # Nonsense in the query string is ignored, never an error.
    weird = staff.get(LIST, query_string={"year": "abc", "status": "x", "sort": "y", "page": "-3"})
    assert weird.status_code == 200 and len(_numbers(weird)) == len(_all_numbers(app))


def test_the_sorts_order_the_rows(app, staff):
    numbers = _numbers(staff.get(LIST, query_string={"sort": "number", "desc": "0"}))
    assert numbers == sorted(numbers)
    late_id = _issue(app, issued_on=clock.today() - timedelta(days=90))
    with app.app_context():
        late = db.session.get(Invoice, late_id).number
    assert _numbers(staff.get(LIST, query_string={"sort": "status", "desc": "0"}))[0] == late
    assert _numbers(staff.get(LIST, query_string={"sort": "balance", "desc": "1"}))[0] == late


def test_the_unpaid_menu_entry_lists_what_is_to_pay_or_late(app, staff):
    unpaid_id = _issue(app)
    response = staff.get("/backoffice/invoices/unpaid/", follow_redirects=True)
    with app.app_context():
        number = db.session.get(Invoice, unpaid_id).number

    assert response.status_code == 200
    assert _numbers(response) == [number]
    assert "250,00" in _text(response, "invoice-sums")


def test_the_member_page_links_to_its_invoices(app, staff, member_ids):
    mine = member_ids["10251"]
    page = staff.get(f"/backofficememberview/show/{mine}")
    link = html.fromstring(page.get_data(as_text=True)).get_element_by_id("member-invoices")

    listed = _numbers(staff.get(link.get("href")))
    assert sorted(listed) == _all_numbers(app, member_id=mine)


def test_a_page_costs_the_same_statements_for_one_row_and_fifty(app, staff):
    first = _issue(app)
    with app.app_context():
        member = _member("10251")
        staff_user = _staff_user()
        for n in range(55):
            note = invoices.issue(
                member,
                [billing.Line(f"Ligne {n}", Decimal(1), Decimal("10.00"), Decimal(0))],
                actor=staff_user,
            )
            if n % 5 == 0:
                invoices.credit(note, staff_user, "Erreur")
        db.session.commit()
        number = db.session.get(Invoice, first).number

    one = statements_of(app, lambda: staff.get(LIST, query_string={"number": number}))
    full = statements_of(app, lambda: staff.get(LIST))
    assert len(_numbers(staff.get(LIST))) == 50
    assert len(full) == len(one)


def test_the_invoice_page_shows_lines_payments_and_its_declaration(app, staff):
    with app.app_context():
        invoice = db.session.scalar(
            select(Invoice)
            .where(Invoice.member_number == "10250", Invoice.year == clock.today().year)
            .limit(1)
        )
        invoice_id, number = invoice.id, invoice.number
    response = staff.get(f"{LIST}{invoice_id}/")

    assert response.status_code == 200
    assert _text(response, "invoice-status") == "Paid" or "Pay" in _text(response, "invoice-status")
    assert "Cotisation" in _text(response, "invoice-lines")
    assert "3 300,00" in _text(response, "invoice-total").replace("\u00a0", " ")
    assert "VIR 10250" in _text(response, "invoice-payments")
    assert "30" in _text(response, "invoice-declaration")
    assert staff.get(f"{LIST}999999/").status_code == 404
    pdf = staff.get(f"{LIST}{invoice_id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f'filename="facture-{number}.pdf"' in pdf.headers["Content-Disposition"]
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert number in text and "10250" in text


def _pay(staff, invoice_id: int, **fields):
    page = staff.get(f"{LIST}{invoice_id}/")
    data = {
        "paid_on": clock.today().strftime("%d/%m/%Y"),
        "amount": "100,50",
        "means": "cheque",
        "reference": "CHQ 1234",
        **fields,
        "csrf_token": csrf_token(page.get_data(as_text=True)),
    }
    return staff.post(f"{LIST}{invoice_id}/payment", data=data)


def _payments(app, invoice_id: int) -> list:
    with app.app_context():
        return db.session.execute(
            select(Payment.amount, Payment.means, Payment.reference).where(
                Payment.invoice_id == invoice_id
            )
        ).all()


def test_recording_payments_until_the_invoice_is_paid(app, staff):
    invoice_id = _issue(app)

    assert _pay(staff, invoice_id).status_code == 302
    assert _payments(app, invoice_id) == [(Decimal("100.50"), PaymentMeans.CHEQUE, "CHQ 1234")]
    page = staff.get(f"{LIST}{invoice_id}/")
    assert "149,50" in _text(page, "invoice-balance")
    assert _pay(staff, invoice_id, amount="149.5", means="transfer").status_code == 302
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        assert invoice.paid_total == invoice.total == Decimal("250.00")
    assert "payment-form" not in staff.get(f"{LIST}{invoice_id}/").get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"amount": "abc"}, "Saisissez un montant en euros"),
        ({"amount": "12,345"}, "Saisissez un montant en euros"),
        ({"amount": "250,01"}, "dépasse le reste à payer"),
        ({"amount": ""}, ""),
        ({"paid_on": "31/02/2026"}, ""),
        ({"means": "bitcoin"}, ""),
        ({"reference": "x" * 101}, ""),
    ],
)
def test_a_bad_payment_is_refused_and_saves_nothing(app, staff, fields, message):
    invoice_id = _issue(app)
    response = _pay(staff, invoice_id, **fields)

    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert "has-error" in response.get_data(as_text=True)
    assert _payments(app, invoice_id) == []
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).paid_total == 0


def test_a_payment_in_the_future_is_refused(app, staff):
    invoice_id = _issue(app)
    tomorrow = (clock.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    response = _pay(staff, invoice_id, paid_on=tomorrow)

    assert response.status_code == 400
    assert "ne peut pas être dans le futur" in unescape(response.get_data(as_text=True))
    assert _payments(app, invoice_id) == []


def test_a_credit_note_cancels_the_invoice_once(app, staff):
    invoice_id = _issue(app)
    url = f"{LIST}{invoice_id}/credit"
    token = csrf_token(staff.get(url).get_data(as_text=True))

    assert staff.post(url, data={"reason": "", "csrf_token": token}).status_code == 400
    response = staff.post(url, data={"reason": "Facturée par erreur", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        note = invoice.credited_by
        assert note.kind is InvoiceKind.CREDIT_NOTE and note.credits_id == invoice_id
        assert note.total == invoice.total and "Facturée par erreur" in note.note
        note_id = note.id
    assert response.headers["Location"].endswith(f"{LIST}{note_id}/")
    again = staff.post(url, data={"reason": "Encore", "csrf_token": token})
    assert again.status_code == 400
    assert "a déjà été annulée par un avoir" in unescape(again.get_data(as_text=True))
    cancelled = staff.get(f"{LIST}{invoice_id}/")
    assert "credited-by-link" in cancelled.get_data(as_text=True)
    assert _pay(staff, invoice_id).status_code == 400  # a cancelled invoice takes no payment
    with app.app_context():
        credit_notes = db.session.scalar(
            select(func.count(Invoice.id)).where(Invoice.credits_id == invoice_id)
        )
    assert credit_notes == 1


def _new_invoice(staff, **fields):
    page = staff.get(NEW)
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), **fields}
    return staff.post(NEW, data=data)


def _count_invoices(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Invoice.id)))


def test_a_hand_made_invoice_with_two_lines(app, staff):
    response = _new_invoice(
        staff,
        member_number="10251",
        **{"lines-0-label": "Formation", "lines-0-quantity": "2,5", "lines-0-unit_price": "80,10"},
        **{"lines-1-label": "Frais", "lines-1-quantity": "1", "lines-1-unit_price": "15"},
        note="Session du 12 mars",
    )

    assert response.status_code == 302
    with app.app_context():
        invoice = db.session.scalar(select(Invoice).order_by(Invoice.id.desc()).limit(1))
        assert invoice.member_number == "10251" and invoice.note == "Session du 12 mars"
        assert [(line.label, line.quantity, line.amount_excl_tax) for line in invoice.lines] == [
            ("Formation", Decimal("2.50"), Decimal("200.25")),
            ("Frais", Decimal("1.00"), Decimal("15.00")),
        ]
        assert invoice.total == Decimal("215.25")
        assert response.headers["Location"].endswith(f"{LIST}{invoice.id}/")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"member_number": "99999", "lines-0-label": "A", "lines-0-quantity": "1",
          "lines-0-unit_price": "10"}, "Aucun adhérent n'a ce numéro."),
        ({"member_number": "10251"}, "Saisissez au moins une ligne."),
        ({"member_number": "10251", "lines-0-label": "A"},
         "ou laissez les trois vides"),
        ({"member_number": "10251", "lines-0-label": "A", "lines-0-quantity": "0",
          "lines-0-unit_price": "10"}, "Saisissez une quantité supérieure à zéro"),
        ({"member_number": "10251", "lines-0-label": "A", "lines-0-quantity": "1",
          "lines-0-unit_price": "dix"}, "Saisissez un montant en euros"),
        ({"member_number": "", "lines-0-label": "A", "lines-0-quantity": "1",
          "lines-0-unit_price": "10"}, ""),
        ({"member_number": "10251", "lines-0-label": "A" * 201, "lines-0-quantity": "1",
          "lines-0-unit_price": "10"}, ""),
    ],
)  # fmt: skip
def test_a_bad_hand_made_invoice_is_refused_and_saves_nothing(app, staff, fields, message):
    before = _count_invoices(app)
    response = _new_invoice(staff, **fields)

    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert _count_invoices(app) == before


def test_the_no_show_preset_fills_in_the_campaign_penalty(app, staff):
    page = staff.get(NEW, query_string={"preset": "no_show", "member": "10251"})
    tree = html.fromstring(page.get_data(as_text=True))

    assert tree.get_element_by_id("member_number").get("value") == "10251"
    assert "Absence non excusée" in tree.get_element_by_id("lines-0-label").get("value")
    assert tree.get_element_by_id("lines-0-quantity").get("value") == "1"
    assert tree.get_element_by_id("lines-0-unit_price").get("value") in ("60", "60.00", "60,00")


def test_the_export_holds_the_filtered_rows_for_the_accounting(app, staff):
    invoice_id = _issue(app, number="10250", amount="99.99")
    with app.app_context():
        number = db.session.get(Invoice, invoice_id).number
    response = staff.get("/backoffice/invoices/export.xlsx", query_string={"member": "10250"})

    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(
        values_only=True))  # fmt: skip
    assert rows[0][0] == "Number" or rows[0][0] == "Numéro"
    body = rows[1:]
    assert sorted(r[0] for r in body) == _all_numbers(app, member_number="10250")
    mine = next(r for r in body if r[0] == number)
    assert mine[4:7] == ("10250", "BOULANGERIE DEMO", "10250000600014")
    assert [Decimal(str(v)) for v in mine[7:12]] == [
        Decimal("99.99"), Decimal("0"), Decimal("99.99"), Decimal("0"), Decimal("99.99")
    ]  # fmt: skip
    assert mine[13:] in ((), (None,))  # no cancelled invoice


def test_member_users_cannot_reach_the_service_invoices(app, member):
    with app.app_context():
        invoice_id = db.session.scalar(select(Invoice.id).limit(1))
    for url in (LIST, f"{LIST}{invoice_id}/", f"{LIST}{invoice_id}/pdf", NEW,
                "/backoffice/invoices/export.xlsx", "/backoffice/invoices/unpaid/",
                f"{LIST}{invoice_id}/credit"):  # fmt: skip
        response = member.get(url)
        assert response.status_code in (302, 403), url
        assert not re.search(r"invoice-rows|%PDF", response.get_data(as_text=True))
    assert member.post(f"{LIST}{invoice_id}/payment", data={}).status_code in (302, 400, 403)
    with app.app_context():
        assert db.session.scalar(select(func.count(Payment.id)).where(
            Payment.invoice_id == invoice_id)) == 1  # fmt: skip
