"""Portal: the member's invoices and credit notes (manual, chapter 10 "Documents", its third tab
"Factures"; issue 11): the list with a filter per column, sorts and pages, the manual's payment
text with the service's bank details, and each invoice's PDF. Resource PortalInvoices (the right
"right.invoices": reading and downloading only).

Thin views: the list's query is app.services.invoice_list's, the PDF app.services.invoice_pdf's
(rendered once, then kept as issued)."""

from flask import Response, current_app, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app import clock
from app.domain.billing import InvoiceStatus
from app.extensions import db
from app.models.billing import Invoice
from app.models.member import Member
from app.services import invoice_list, invoice_pdf
from app.services.employee_list import PAGE_SIZES
from app.services.pdf_uploads import PDF_TYPE
from app.views.common import current_member_id, owned

RESOURCE = "PortalInvoices"
DOCUMENTS = "PortalDocuments"
EMPLOYEES = "PortalEmployees"


# The manual's words, lower case as they read in the list.
STATUS_LABELS = {
    InvoiceStatus.TO_PAY: _l("to pay"),
    InvoiceStatus.PAID: _l("paid"),
    InvoiceStatus.LATE: _l("late"),
    InvoiceStatus.CANCELLED: _l("cancelled"),
    InvoiceStatus.CREDIT_NOTE: _l("credit note"),
}


def status_label(status: InvoiceStatus) -> str:
    return str(STATUS_LABELS[status])


def status_choices() -> list[tuple[str, str]]:
    return [(status.value, status_label(status)) for status in InvoiceStatus]


def bank_details() -> dict:
    config = current_app.config
    return {name: config[f"SERVICE_{name}"] for name in ("BANK", "IBAN", "BIC")}


def pages(params, total: int) -> dict:
    return {
        "params": params,
        "total": total,
        "first": (params.page - 1) * params.size + 1 if total else 0,
        "last": min(params.page * params.size, total),
        "pages": max((total + params.size - 1) // params.size, 1),
        "page_sizes": PAGE_SIZES,
    }


class PortalInvoicesView(BaseView):
    route_base = "/invoices"
    default_view = "list"
    class_permission_name = RESOURCE
    base_permissions = ["can_list", "can_download"]

    @expose("/")
    @has_access
    def list(self):
        params = invoice_list.params_of(request.args)
        member = db.session.get(Member, current_member_id())
        rows, total = invoice_list.page(db.session, member.id, params, clock.today())
        sm = self.appbuilder.sm
        return self.render_template(
            "invoices/list.html",
            member=member,
            rows=rows,
            status_label=status_label,
            status_choices=status_choices(),
            bank=bank_details(),
            sees_documents=sm.has_access("can_list", DOCUMENTS),
            sees_employees=sm.has_access("can_list", DOCUMENTS)
            and sm.has_access("can_list", EMPLOYEES),
            endpoint=".list",
            **pages(params, total),
        )

    @expose("/<int:invoice_id>/pdf")
    @has_access
    @permission_name("download")
    def pdf(self, invoice_id):
        invoice = owned(Invoice, invoice_id)
        content = invoice_pdf.pdf_of(invoice)
        name = invoice_pdf.download_name(invoice)
        db.session.commit()  # the PDF rendered at the first download is kept as issued
        return Response(
            content,
            mimetype=PDF_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Content-Length": str(len(content)),
            },
        )
