"""Back-office: every member's invoices and credit notes (issue 11, "Staff record payments, see
what is unpaid and overdue, export to Excel"): the filtered list with its totals, an invoice's
page (lines, payments, linked invoices, its declaration), its PDF, recording a payment, a credit
note, a hand-made invoice (the no-show penalty preset), and the accounting export."""

from decimal import Decimal

from flask import Response, abort, flash, g, redirect, request, stream_with_context, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.domain import billing
from app.domain.billing import InvoiceStatus
from app.exports.xlsx import xlsx_chunks
from app.extensions import db
from app.models.billing import Invoice, InvoiceKind, PaymentMeans
from app.models.member import Member
from app.services import ServiceError, invoice_ledger, invoice_notices, invoice_pdf, invoices, mail
from app.services.declarations import campaign_of
from app.views.backoffice.invoice_forms import CreditForm, InvoiceForm, PaymentForm
from app.views.messages import text_of
from app.views.portal.employee_pages import XLSX_MIMETYPE

STATUS_LABELS = {
    InvoiceStatus.TO_PAY: _l("To pay"),
    InvoiceStatus.PAID: _l("Paid"),
    InvoiceStatus.LATE: _l("Late"),
    InvoiceStatus.CANCELLED: _l("Cancelled"),
    InvoiceStatus.CREDIT_NOTE: _l("Credit note"),
}
KIND_LABELS = {InvoiceKind.INVOICE: _l("Invoice"), InvoiceKind.CREDIT_NOTE: _l("Credit note")}
MEANS_LABELS = {
    PaymentMeans.TRANSFER: _l("Transfer"),
    PaymentMeans.CHEQUE: _l("Cheque"),
    PaymentMeans.CREDIT: _l("Set against a credit note"),
}
NO_SHOW_LABEL = "Absence non excusée à une visite (pénalité)"


def _sheet(rows):
    headers = [
        _("Number"), _("Kind"), _("Date"), _("Due date"), _("Member number"), _("Name"),
        _("SIRET"), _("Amount excl. VAT"), _("VAT"), _("Amount incl. VAT"), _("Amount paid"),
        _("Balance"), _("Status"), _("Cancelled invoice"),
    ]  # fmt: skip
    values = (
        (
            r.invoice.number,
            str(KIND_LABELS[r.invoice.kind]),
            r.invoice.issued_on,
            r.invoice.due_on,
            r.invoice.member_number,
            r.invoice.buyer_name,
            r.invoice.buyer_siret,
            r.invoice.total_excl_tax,
            r.invoice.total_vat,
            r.invoice.total,
            r.invoice.paid_total,
            r.balance,
            str(STATUS_LABELS[r.status]),
            r.credits_number,
        )  # fmt: skip
        for r in rows
    )
    return headers, values


def _lines(form: InvoiceForm) -> list[billing.Line]:
    rate = invoices.vat_rate()
    return [
        billing.Line(e.form.label.data.strip(), e.form.quantity.data, e.form.unit_price.data, rate)
        for e in form.lines.entries
        if e.form.filled
    ]


class BackofficeInvoiceView(BaseView):
    route_base = "/backoffice/invoices"
    default_view = "index"
    class_permission_name = "BackofficeInvoices"
    base_permissions = ["can_list", "can_show", "can_edit", "can_add", "can_export_xlsx"]

    def _detail(self, invoice_id: int):
        found = invoice_ledger.detail(invoice_id, clock.today())
        if found is None:
            abort(404)
        return found

    def _show(self, invoice_id: int, payment=None, credit=None, status=200):
        return (
            self.render_template(
                "invoices/backoffice_show.html",
                d=self._detail(invoice_id),
                payment=payment or PaymentForm(formdata=None, paid_on=clock.today()),
                credit=credit or CreditForm(formdata=None),
                statuses=STATUS_LABELS,
                kinds=KIND_LABELS,
                means=MEANS_LABELS,
            ),
            status,
        )

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        filters = invoice_ledger.Filters.from_args(request.args)
        rows, sums = invoice_ledger.page(filters, clock.today())
        size = invoice_ledger.PAGE_SIZE
        return self.render_template(
            "invoices/backoffice_list.html",
            rows=rows,
            sums=sums,
            filters=filters,
            pages=max((sums.count + size - 1) // size, 1),
            first=(filters.page - 1) * size + 1 if rows else 0,
            last=(filters.page - 1) * size + len(rows),
            statuses=STATUS_LABELS,
            kinds=KIND_LABELS,
        )

    @expose("/<int:invoice_id>/")
    @has_access
    @permission_name("show")
    def show(self, invoice_id: int):
        return self._show(invoice_id)

    @expose("/<int:invoice_id>/pdf")
    @has_access
    @permission_name("show")
    def pdf(self, invoice_id: int):
        invoice = db.session.get(Invoice, invoice_id) or abort(404)
        data = invoice_pdf.pdf_of(invoice)
        db.session.commit()
        name = invoice_pdf.download_name(invoice)
        return Response(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @expose("/<int:invoice_id>/payment", methods=["POST"])
    @has_access
    @permission_name("edit")
    def payment(self, invoice_id: int):
        form = PaymentForm()
        invoice = db.session.get(Invoice, invoice_id) or abort(404)
        if not form.validate():
            return self._show(invoice_id, payment=form, status=400)
        try:
            invoices.record_payment(
                invoice, g.user, paid_on=form.paid_on.data, amount=form.amount.data,
                means=PaymentMeans(form.means.data), reference=form.reference.data,
            )  # fmt: skip
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            form.amount.errors = [text_of(error)]
            return self._show(invoice_id, payment=form, status=400)
        flash(_("Payment recorded."), "success")
        return redirect(url_for(".show", invoice_id=invoice_id))

    @expose("/<int:invoice_id>/credit", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def credit(self, invoice_id: int):
        form = CreditForm()
        detail = self._detail(invoice_id)
        if request.method == "POST" and form.validate():
            try:
                note = invoices.credit(detail.invoice, g.user, form.reason.data)
                mails = invoice_notices.announce([note])
                db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                form.reason.errors = [text_of(error)]
            else:
                mail.deliver_later(mails)
                flash(_("Credit note %(number)s issued.", number=note.number), "success")
                return redirect(url_for(".show", invoice_id=note.id))
        status = 400 if form.errors else 200
        return self.render_template("invoices/backoffice_credit.html", d=detail, form=form), status

    @expose("/new", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def new(self):
        form = InvoiceForm()
        if request.method == "GET" and request.args.get("preset") == "no_show":
            self._no_show_preset(form)
        if request.method == "POST" and form.validate():
            invoice = self._issue(form)
            if invoice is not None:
                flash(_("Invoice %(number)s issued.", number=invoice.number), "success")
                return redirect(url_for(".show", invoice_id=invoice.id))
        status = 400 if form.errors else 200
        return self.render_template("invoices/backoffice_new.html", form=form), status

    def _no_show_preset(self, form: InvoiceForm) -> None:
        campaign = campaign_of(clock.today().year)
        form.member_number.data = request.args.get("member", "")[:10]
        line = form.lines.entries[0].form
        line.label.data, line.quantity.data = NO_SHOW_LABEL, Decimal(1)
        if campaign is not None and campaign.no_show_fee:
            line.unit_price.data = campaign.no_show_fee
        else:
            flash(_("This year's campaign sets no no-show penalty: enter the amount."), "warning")

    def _issue(self, form: InvoiceForm) -> Invoice | None:
        number = form.member_number.data.strip()
        member = db.session.scalar(select(Member).where(Member.number == number))
        if member is None:
            form.member_number.errors = [_("No member has this number.")]
            return None
        try:
            invoice = invoices.issue(
                member, _lines(form), actor=g.user, note=(form.note.data or "").strip() or None
            )
            mails = invoice_notices.announce([invoice])
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            form.note.errors = [text_of(error)]
            return None
        mail.deliver_later(mails)
        return invoice

    @expose("/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_xlsx(self):
        filters = invoice_ledger.Filters.from_args(request.args)
        today = clock.today()
        headers, values = _sheet(invoice_ledger.export_rows(filters, today))
        name = f"factures-{today:%Y%m%d}.xlsx"
        return Response(
            stream_with_context(xlsx_chunks(_("Invoices"), headers, values)),
            mimetype=XLSX_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


class BackofficeUnpaidInvoiceView(BaseView):
    """The menu's "Unpaid invoices": the list filtered on what is to pay or late, oldest due
    first."""

    route_base = "/backoffice/invoices/unpaid"
    default_view = "index"
    class_permission_name = "BackofficeUnpaidInvoices"
    base_permissions = ["can_list"]

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        return redirect(
            url_for(
                "BackofficeInvoiceView.index",
                status=invoice_ledger.UNPAID,
                sort="due_on",
                desc="0",
            )
        )
