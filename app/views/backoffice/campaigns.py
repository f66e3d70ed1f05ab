"""Back-office: the declaration campaigns (issue 11, "Campaign and tariffs"): the campaigns with
their tariff and progress, a campaign's form (the base fee within 80 % to 120 % of the national
average cost), the members' progress (filters, sort, pages, Excel export), the invitation and
reminder e-mails sent after the response, and the reopening of a confirmed declaration."""

from flask import Response, abort, flash, g, redirect, request, stream_with_context, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.domain.inputs import parse_int
from app.exports.xlsx import xlsx_chunks
from app.extensions import db
from app.models.billing import Campaign, Declaration, MailingKind
from app.services import (
    ServiceError,
    campaign_mailings,
    campaign_progress,
    campaigns,
    invoice_notices,
    jobs,
    mail,
)
from app.services import declarations as declaration_service
from app.views.backoffice.campaign_forms import CampaignForm, ReopenForm
from app.views.messages import text_of
from app.views.portal.employee_pages import XLSX_MIMETYPE

PAGE_SIZE = 50
STATUS_LABELS = {
    campaign_progress.CONFIRMED: _l("Confirmed"),
    campaign_progress.TO_CONFIRM: _l("To confirm"),
    campaign_progress.WITHOUT_EMPLOYEES: _l("Without employees"),
}
KINDS = {"invitation": MailingKind.INVITATION, "reminder": MailingKind.REMINDER}


def _campaign(year: int) -> Campaign:
    campaign = declaration_service.campaign_of(year)
    if campaign is None:
        abort(404)
    return campaign


def _tariff(form: CampaignForm) -> campaigns.Tariff:
    return campaigns.Tariff(
        form.opens_on.data,
        form.closes_on.data,
        form.base_fee.data,
        form.entry_fee.data,
        form.no_show_fee.data,
        form.national_average_cost.data,
    )


def _sheet(rows):
    headers = [
        _("Member number"), _("Name"), _("Status"), _("Confirmed on"), _("Confirmed by"),
        _("Declared total"), _("Invoice"), _("Employees in the workforce"),
    ]  # fmt: skip
    values = (
        (
            r.number,
            r.name,
            str(STATUS_LABELS[r.status]),
            r.confirmed_at,
            _("by the service") if r.by_service else r.confirmed_by,
            r.declared,
            r.invoice_number,
            r.headcount,
        )  # fmt: skip
        for r in rows
    )
    return headers, values


class BackofficeCampaignView(BaseView):
    route_base = "/backoffice/campaigns"
    default_view = "index"
    class_permission_name = "BackofficeCampaigns"
    base_permissions = ["can_list", "can_add", "can_edit", "can_export_xlsx", "can_send"]

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        rows = campaigns.overview(clock.today())
        return self.render_template("campaigns/list.html", rows=rows)

    @expose("/new", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def add(self):
        form = CampaignForm()
        if not form.is_submitted():
            year = clock.today().year
            form.year.data = year + 1 if declaration_service.campaign_of(year) else year
            form.national_average_cost.data = campaigns.national_average_cost(form.year.data)
        if form.validate_on_submit():
            try:
                campaigns.create(form.year.data, _tariff(form), g.user)
                db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                flash(text_of(error), "danger")
            else:
                flash(_("The campaign %(year)d is saved.", year=form.year.data), "success")
                return redirect(url_for(".progress", year=form.year.data))
        return self.render_template("campaigns/form.html", form=form, campaign=None, locked=False)

    @expose("/<int:year>/edit", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def edit(self, year: int):
        campaign = _campaign(year)
        form = CampaignForm(obj=None if request.method == "POST" else campaign)
        del form.year  # the year of a campaign is fixed
        if form.validate_on_submit():
            try:
                campaigns.update(campaign, _tariff(form), g.user)
                db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                flash(text_of(error), "danger")
            else:
                flash(_("The campaign %(year)d is saved.", year=year), "success")
                return redirect(url_for(".index"))
        locked = campaigns.fees_locked(campaign)
        return self.render_template(
            "campaigns/form.html", form=form, campaign=campaign, locked=locked
        )

    @expose("/<int:year>/")
    @has_access
    @permission_name("list")
    def progress(self, year: int):
        campaign = _campaign(year)
        today = clock.today()
        filters = campaign_progress.Filters.from_args(request.args)
        number = (parse_int(request.args.get("page", "1"), 1, 100_000) or 1) - 1
        rows, total = campaign_progress.page(year, filters, today, number, PAGE_SIZE)
        return self.render_template(
            "campaigns/progress.html",
            campaign=campaign,
            rows=rows,
            total=total,
            page=number + 1,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            first=number * PAGE_SIZE + 1 if rows else 0,
            last=number * PAGE_SIZE + len(rows) if rows else 0,
            filters=filters,
            counts=campaign_progress.counts(year, today),
            statuses=STATUS_LABELS,
            mailings=campaign_mailings.state(campaign),
            kinds=MailingKind,
            grouped=format_decimal,
        )

    @expose("/<int:year>/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_xlsx(self, year: int):
        _campaign(year)
        filters = campaign_progress.Filters.from_args(request.args)
        headers, values = _sheet(campaign_progress.all_rows(year, filters, clock.today()))
        name = f"campagne-{year}-{clock.today():%Y%m%d}.xlsx"
        return Response(
            stream_with_context(xlsx_chunks(_("Campaign %(year)d", year=year), headers, values)),
            mimetype=XLSX_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @expose("/<int:year>/send/<kind>", methods=["POST"])
    @has_access
    @permission_name("send")
    def send(self, year: int, kind: str):
        _campaign(year)
        if kind not in KINDS:
            abort(404)
        # A background job (issue 13): batches committed one at a time, resumable.
        jobs.start("campaign_mailing", requested_by_id=g.user.id, year=year, mailing=kind)
        flash(_("The e-mails are being sent: the counter below follows them."), "success")
        return redirect(url_for(".progress", year=year))


class BackofficeDeclarationReopenView(BaseView):
    route_base = "/backoffice/declarations"
    default_view = "reopen"
    class_permission_name = "BackofficeDeclarationReopen"
    base_permissions = ["can_reopen"]

    @expose("/<int:declaration_id>/reopen", methods=["GET", "POST"])
    @has_access
    @permission_name("reopen")
    def reopen(self, declaration_id: int):
        declaration = db.session.get(Declaration, declaration_id)
        if declaration is None:
            abort(404)
        form = ReopenForm()
        if declaration.reopened_at is None and form.validate_on_submit():
            try:
                note = declaration_service.reopen(declaration, g.user, form.reason.data)
                mails = invoice_notices.announce([note])
                db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                flash(text_of(error), "danger")
            else:
                mail.deliver_later(mails)
                flash(_reopened(note), "success")
                return redirect(url_for(".reopen", declaration_id=declaration_id))
        return self.render_template("campaigns/reopen.html", form=form, declaration=declaration)


def _reopened(note) -> str:
    if note is None:
        return _("The declaration is reopened: the member can confirm it again.")
    return _(
        "The declaration is reopened: its invoice is cancelled by the credit note %(number)s; "
        "the member can confirm it again.",
        number=note.number,
    )
