"""Portal: the yearly workforce declaration (manual, chapter 8 "Déclaration d'effectifs"; issue
11): the status of the year's campaign, today's workforce per category against the figures
declared for the annual fee, "Confirmer la déclaration", and the member's past declarations.
Resource PortalDeclaration (the right "right.declaration", or the member's administrator).

Thin views: the screen's figures are app.services.declaration_screen's; confirming is
app.services.declarations.confirm (atomic and idempotent: one declaration and one invoice
whatever the double clicks, tabs or users at once)."""

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.domain.follow_up import FollowUp
from app.domain.inputs import parse_int
from app.extensions import db
from app.models.member import Member
from app.services import ServiceError, declaration_screen, declarations, invoice_notices, mail
from app.services.declarations import Counts
from app.views.common import current_member_id
from app.views.messages import text_of
from app.views.params import FORM_MESSAGE, BadArgument

RESOURCE = "PortalDeclaration"
INVOICES = "PortalInvoices"
EMPLOYEES = "PortalEmployees"
MAX_COUNT = 10_000_000
# The manual's long labels, in its order (declarations.CATEGORIES).
CATEGORY_LABELS = {
    FollowUp.SIR: _l("SIR - Reinforced individual surveillance"),
    FollowUp.SIA: _l("SIA - Adapted individual follow-up"),
    FollowUp.SI: _l("SI - Simple individual surveillance"),
}
FIELDS = {FollowUp.SIR: "sir", FollowUp.SIA: "sia", FollowUp.SI: "si"}


def shown_counts(form) -> tuple[int, Counts]:
    """The year and the counts the confirming user saw (the form's hidden fields); a 400 for a
    forged or truncated form."""
    year = parse_int(form.get("year"), 2000, 2999)
    counts = {field: parse_int(form.get(field), 0, MAX_COUNT) for field in ("sir", "sia", "si")}
    if year is None or None in counts.values():
        raise BadArgument(FORM_MESSAGE)
    return year, Counts(**counts)


class PortalDeclarationView(BaseView):
    route_base = "/declaration"
    default_view = "page"
    class_permission_name = RESOURCE
    base_permissions = ["can_list", "can_confirm"]

    @expose("/")
    @has_access
    @permission_name("list")
    def page(self):
        member_id = current_member_id()
        sm = self.appbuilder.sm
        return self.render_template(
            "declaration/page.html",
            member=db.session.get(Member, member_id),
            screen=declaration_screen.screen(member_id, clock.today()),
            categories=[(c, CATEGORY_LABELS[c], FIELDS[c]) for c in declarations.CATEGORIES],
            sees_invoices=sm.has_access("can_download", INVOICES),
            sees_employees=sm.has_access("can_list", EMPLOYEES),
            can_confirm=sm.has_access("can_confirm", RESOURCE),
        )

    @expose("/confirm", methods=["POST"])
    @has_access
    @permission_name("confirm")
    def confirm(self):
        year, shown = shown_counts(request.form)
        member = db.session.get(Member, current_member_id())
        campaign = declarations.current_campaign(clock.today())
        try:
            if campaign is None or campaign.year != year:
                raise ServiceError("campaign_not_open")
            declaration, confirmed = declarations.confirm(member, g.user, campaign, shown)
            mails = invoice_notices.announce_ids([declaration.invoice_id] if confirmed else [])
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(text_of(error), "danger")
            return redirect(url_for(".page"))
        mail.deliver_later(mails)
        if confirmed:
            flash(_("Declaration confirmed. The invoice is issued from these figures."), "success")
        else:
            flash(_("This declaration was already confirmed."), "info")
        return redirect(url_for(".page"))
