"""The member's "Factures" (issue 11; manual, chapter 10, the third tab of "Documents"): its
invoices and credit notes with their status (à payer, payée, en retard, annulée, avoir) and what
is left to pay, filters, sorts and pages like every list, the manual's payment text with the bank
details, and the PDF of its own invoices only. The expected statuses are computed here with the
domain rule (app.domain.billing.invoice_status), the SQL twin is the list's."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from lxml import html as lxml_html
from pypdf import PdfReader
from sqlalchemy import select

from app import clock
from app.domain import billing
from app.domain.billing import InvoiceStatus
from app.extensions import db
from app.models.billing import Invoice, InvoiceKind, PaymentMeans
from app.models.member import Member
from app.models.user import PortalUser
from app.services import invoices
from tests.views.test_employees import logged_in
from tests.views.test_member_home import set_rights
from tests.views.test_same_work import statements_of
from tests.views.test_visit_attachments import wording

LIST = "/invoices/"
LABELS = {
    InvoiceStatus.TO_PAY: "to pay",
    InvoiceStatus.PAID: "paid",
    InvoiceStatus.LATE: "late",
    InvoiceStatus.CANCELLED: "cancelled",
    InvoiceStatus.CREDIT_NOTE: "credit note",
}
PAYMENT_TEXT = (
    "Invoices are paid by bank transfer or by cheque.",
    "When paying by transfer, please use the bank details given on the invoice.",
    "For any payment, do not forget to mention your member number and your invoice number.",
    "Payment by direct debit and online payment are not available for the moment.",
)


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _plain(text: str) -> str:
    return re.sub(r"\s", "", text)


def euros(amount: Decimal) -> str:
    return f"{amount:.2f}€".replace(".", ",")


def member_of(app, number: str) -> Member:
    with app.app_context():
        return db.session.scalar(select(Member).where(Member.number == number))


def listed(client, **args) -> dict:
    response = client.get(LIST, query_string=args)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.text)
    rows = []
    for tr in tree.xpath("//table[contains(@class, 'invoices')]/tbody/tr[@data-invoice]"):
        cells = {td.get("class").split()[0]: _text(td) for td in tr.xpath("./td[@class]")}
        cells["id"] = int(tr.get("data-invoice"))
        cells["pdf"] = tr.xpath(".//a[contains(@class, 'download')]/@href")[0]
        rows.append(cells)
    summary = tree.xpath("//p[contains(@class, 'pagination-summary')]")
    return {
        "html": response.text,
        "rows": rows,
        "summary": _text(summary[0]) if summary else None,
        "tabs": tree.xpath("//ul[contains(@class, 'document-tabs')]//a/@id"),
    }


def _issue(member, amount: str, issued_on: date, label: str = "Prestation") -> Invoice:
    line = billing.Line(label, Decimal(1), Decimal(amount), Decimal(0))
    return invoices.issue(member, [line], issued_on=issued_on)


@pytest.fixture
def statuses(app) -> dict[str, int]:
    """10251's invoices in every status, besides its demo invoices of last year (paid)."""
    today = clock.today()
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10251"))
        staff = db.session.scalar(select(PortalUser).where(PortalUser.username == "gestion"))
        to_pay = _issue(member, "110.00", today)
        late = _issue(member, "75.50", today - timedelta(days=60))
        partly = _issue(member, "200.00", today - timedelta(days=45))
        invoices.record_payment(
            partly,
            staff,
            paid_on=today - timedelta(days=10),
            amount=Decimal("80.25"),
            means=PaymentMeans.CHEQUE,
        )
        cancelled = _issue(member, "60.00", today - timedelta(days=5))
        note = invoices.credit(cancelled, staff, "Absence excusée")
        db.session.commit()
        return {
            "to_pay": to_pay.id,
            "late": late.id,
            "partly": partly.id,
            "cancelled": cancelled.id,
            "credit_note": note.id,
        }


def expected(app, number: str) -> dict[int, tuple[InvoiceStatus, Decimal]]:
    today = clock.today()
    with app.app_context():
        found = db.session.scalars(
            select(Invoice).where(Invoice.member_id == member_of(app, number).id)
        ).all()
        result = {}
        for invoice in found:
            status = billing.invoice_status(
                is_credit_note=invoice.kind is InvoiceKind.CREDIT_NOTE,
                cancelled=invoice.credited_by_id is not None,
                total=invoice.total,
                paid_total=invoice.paid_total,
                due=invoice.due_on,
                today=today,
            )
            owed = invoice.balance if status not in _NOTHING_OWED else Decimal("0.00")
            result[invoice.id] = (status, owed, invoice)
        return result


_NOTHING_OWED = {InvoiceStatus.CANCELLED, InvoiceStatus.CREDIT_NOTE}


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_each_invoice_with_its_status_and_what_is_left_to_pay(app, statuses):
    want = expected(app, "10251")
    page = listed(logged_in(app, "ets10251"), size=100)

    assert {row["id"] for row in page["rows"]} == set(want)
    assert page["summary"] == wording("%(first)d - %(last)d of %(total)d") % {
        "first": 1,
        "last": len(want),
        "total": len(want),
    }
    seen = set()
    for row in page["rows"]:
        status, owed, invoice = want[row["id"]]
        seen.add(status)
        assert row["number"].startswith(invoice.number)
        assert row["issued_on"] == invoice.issued_on.strftime("%d/%m/%Y")
        assert row["due_on"] == invoice.due_on.strftime("%d/%m/%Y")
        assert _plain(row["total"]) == euros(invoice.total)
        assert _plain(row["left_to_pay"]) == euros(owed), row
        assert row["status"] == wording(LABELS[status]), row
        assert row["pdf"] == f"/invoices/{invoice.id}/pdf"
    assert seen == set(InvoiceStatus)
    # Newest first; the partly paid one still owes the rest.
    dates = [want[row["id"]][2].issued_on for row in page["rows"]]
    assert dates == sorted(dates, reverse=True)
    partly = next(row for row in page["rows"] if row["id"] == statuses["partly"])
    assert _plain(partly["left_to_pay"]) == "119,75€"
    # The credit note and the invoice it cancels name each other.
    note = want[statuses["credit_note"]][2]
    cancelled = next(row for row in page["rows"] if row["id"] == statuses["cancelled"])
    assert note.number in cancelled["number"]


def test_another_members_invoices_never_show(app, statuses):
    mine = listed(logged_in(app, "ets10251"), size=100)
    theirs = set(expected(app, "10250"))
    assert theirs and not theirs & {row["id"] for row in mine["rows"]}
    assert "BOULANGERIE DEMO" not in mine["html"]


@pytest.mark.parametrize("status", list(InvoiceStatus), ids=lambda s: s.value)
def test_the_status_filter_keeps_that_status_only(app, statuses, status):
    want = {i for i, (s, _owed, _inv) in expected(app, "10251").items() if s is status}
    page = listed(logged_in(app, "ets10251"), f_status=status.value, size=100)
    assert {row["id"] for row in page["rows"]} == want


def test_filters_by_number_date_and_amount(app, statuses):
    client = logged_in(app, "ets10251")
    want = expected(app, "10251")
    late = want[statuses["late"]][2]

    by_number = listed(client, f_number=late.number)
    assert [row["id"] for row in by_number["rows"]] == [late.id]
    by_year = listed(client, f_number=f"{late.year}-", size=100)
    assert {row["id"] for row in by_year["rows"]} == {
        i for i, (_s, _o, inv) in want.items() if inv.year == late.year
    }
    by_day = listed(client, f_issued_on=late.issued_on.strftime("%d/%m/%Y"))
    assert late.id in {row["id"] for row in by_day["rows"]}
    assert all(row["issued_on"] == late.issued_on.strftime("%d/%m/%Y") for row in by_day["rows"])
    by_amount = listed(client, f_total="75,50 €")
    assert [row["id"] for row in by_amount["rows"]] == [late.id]
    by_left = listed(client, f_left_to_pay="119,75", size=100)
    assert [row["id"] for row in by_left["rows"]] == [statuses["partly"]]
    nothing_owed = listed(client, f_left_to_pay="0", size=100)
    assert {row["id"] for row in nothing_owed["rows"]} == {
        i for i, (_s, owed, _inv) in want.items() if owed == 0
    }
    year = listed(client, f_due_on=str(late.due_on.year), size=100)
    assert {row["id"] for row in year["rows"]} == {
        i for i, (_s, _o, inv) in want.items() if inv.due_on.year == late.due_on.year
    }


@pytest.mark.parametrize(
    "args",
    [
        {"f_issued_on": "31/02/2026"},
        {"f_due_on": "n'importe quoi"},
        {"f_total": "douze"},
        {"f_left_to_pay": "-5"},
        {"f_status": "unpaid"},
        {"sort": "password"},
        {"page": "999999999999999999999"},
        {"size": "-3"},
        {"f_number": "%_\\"},
    ],
)
def test_bad_list_arguments_give_a_page_never_a_500(app, statuses, args):
    response = logged_in(app, "ets10251").get(LIST, query_string=args)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("number", lambda inv, status, owed: (inv.year, inv.sequence)),
        ("due_on", lambda inv, status, owed: (inv.due_on, inv.sequence)),
        ("total", lambda inv, status, owed: inv.total),
        ("left_to_pay", lambda inv, status, owed: owed),
    ],
)
def test_sorts_follow_the_column(app, statuses, sort, key):
    want = expected(app, "10251")
    client = logged_in(app, "ets10251")
    for descending in ("0", "1"):
        page = listed(client, sort=sort, desc=descending, size=100)
        values = [key(want[r["id"]][2], *want[r["id"]][:2]) for r in page["rows"]]
        assert values == sorted(values, reverse=descending == "1"), (sort, descending)


def test_the_status_sort_puts_what_needs_attention_first(app, statuses):
    want = expected(app, "10251")
    page = listed(logged_in(app, "ets10251"), sort="status", desc="0", size=100)
    order = [want[row["id"]][0] for row in page["rows"]]
    rank = [
        InvoiceStatus.LATE,
        InvoiceStatus.TO_PAY,
        InvoiceStatus.PAID,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.CREDIT_NOTE,
    ]
    assert order == sorted(order, key=rank.index)
    assert order[0] is InvoiceStatus.LATE


def _many(app, number: str, count: int) -> None:
    member = member_of(app, number)
    with app.app_context():
        member = db.session.get(Member, member.id)
        for n in range(count):
            _issue(member, f"{10 + n}.00", clock.today() - timedelta(days=n))
        db.session.commit()


def test_pages_and_the_counter(app):
    existing = len(expected(app, "10251"))
    _many(app, "10251", 25 - existing)
    client = logged_in(app, "ets10251")
    first = listed(client, size=10)
    assert len(first["rows"]) == 10
    assert first["summary"] == wording("%(first)d - %(last)d of %(total)d") % {
        "first": 1,
        "last": 10,
        "total": 25,
    }
    last = listed(client, size=10, page=3)
    assert len(last["rows"]) == 5
    assert last["summary"].startswith("21 - 25")
    beyond = listed(client, size=10, page=9)
    assert beyond["summary"].startswith("21 - 25")  # the last page
    seen = {r["id"] for p in (1, 2, 3) for r in listed(client, size=10, page=p)["rows"]}
    assert len(seen) == 25


def test_a_page_of_invoices_costs_the_same_statements_for_10_and_25(app):
    existing = len(expected(app, "10251"))
    _many(app, "10251", 10 - existing)
    client = logged_in(app, "ets10251")
    client.get("/")
    assert len(listed(client, size=100)["rows"]) == 10
    few = statements_of(app, lambda: client.get(LIST, query_string={"size": 100}))
    _many(app, "10251", 15)
    assert len(listed(client, size=100)["rows"]) == 25
    many = statements_of(app, lambda: client.get(LIST, query_string={"size": 100}))
    assert len(many) == len(few), (few, many)


def test_the_manual_payment_text_and_the_bank_details_are_under_the_list(app):
    page = listed(logged_in(app, "ets10251"))
    text = " ".join(lxml_html.fromstring(page["html"]).text_content().split())
    for sentence in PAYMENT_TEXT:
        assert wording(sentence) in text
    assert app.config["SERVICE_IBAN"] in text and app.config["SERVICE_BIC"] in text


# --- the tabs and the rights ---------------------------------------------------------------------


def test_invoices_are_the_third_tab_of_documents(app, member):
    tabs = listed(member)["tabs"]
    assert tabs == ["tab-member-documents", "tab-employee-documents", "tab-invoices"]
    documents = lxml_html.fromstring(member.get("/documents/").text)
    assert documents.xpath("//a[@id='tab-invoices']/@href") == [LIST]


def test_a_collaborator_without_the_invoices_right_gets_403(app, statuses):
    set_rights(app, "ets10250.2", "right.documents")
    client = logged_in(app, "ets10250.2")
    own = next(iter(expected(app, "10250")))
    assert client.get(LIST).status_code == 403
    assert client.get(f"/invoices/{own}/pdf").status_code == 403
    documents = lxml_html.fromstring(client.get("/documents/").text)
    assert documents.xpath("//a[@id='tab-invoices']") == []
    assert 'href="/invoices/"' not in client.get("/").text


def test_a_collaborator_with_the_invoices_right_only_lists_and_downloads(app):
    set_rights(app, "ets10250.2", "right.invoices")
    client = logged_in(app, "ets10250.2")
    page = listed(client)
    assert {row["id"] for row in page["rows"]} == set(expected(app, "10250"))
    assert page["tabs"] == ["tab-invoices"]  # no documents right: no documents tabs
    assert client.get(page["rows"][0]["pdf"]).status_code == 200
    assert client.get("/documents/").status_code == 403
    assert 'href="/invoices/"' in client.get("/").text  # the home's card


# --- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_of_an_invoice_is_an_attachment_holding_its_figures(app, member):
    invoice = next(inv for _s, _o, inv in expected(app, "10250").values())
    response = member.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert invoice.number in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "10250" in text and invoice.number in text
    assert euros(invoice.total).replace("€", "") in _plain(text)
    again = member.get(f"/invoices/{invoice.id}/pdf")
    assert again.data == response.data  # kept as issued
    with app.app_context():
        assert db.session.get(Invoice, invoice.id).pdf_content_id is not None


def test_another_members_invoice_pdf_is_a_404(app, statuses):
    client = logged_in(app, "ets10250")
    for invoice_id in statuses.values():
        assert client.get(f"/invoices/{invoice_id}/pdf").status_code == 404
    assert client.get("/invoices/999999/pdf").status_code == 404
    with app.app_context():
        stored = db.session.scalars(
            select(Invoice.pdf_content_id).where(Invoice.id.in_(statuses.values()))
        ).all()
    assert stored == [None] * len(statuses)  # nothing rendered for the intruder
