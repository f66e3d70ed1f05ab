"""Back-office: members (adhérents), establishments, contacts and the first-connection letter."""

from flask import Response, flash, g, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.member import Contact, Establishment, Member, MemberStatus
from app.services import ServiceError, members, provisioning
from app.views import letters
from app.views.backoffice.documents import BackofficeDocumentView
from app.views.common import (
    MEMBER_COLUMNS,
    BaseModelView,
    EagerInterface,
    FilterIsNull,
    enum_field,
)
from app.views.messages import MESSAGES
from app.views.redirects import BackToPageMixin
from app.views.validators import naf_field, siret_field


class BackToMemberMixin(BackToPageMixin):
    """Establishments and contacts are edited from their member's page, and lead back to it."""

    def page_after_save(self, item) -> str:
        return url_for("BackofficeMemberView.show", pk=item.member_id)


class BackofficeEstablishmentView(BackToMemberMixin, BaseModelView):
    datamodel = SQLAInterface(Establishment)
    class_permission_name = "BackofficeEstablishments"
    list_title = show_title = _l("Establishments")
    add_title = _l("Add an establishment")
    edit_title = _l("Edit an establishment")
    add_row_message = _l("The establishment is added.")
    edit_row_message = _l("The establishment is saved.")
    delete_row_message = _l("The establishment is deleted.")
    list_columns = ["name", "siret", "postal_code", "city", "is_head_office"]
    search_columns = ["name", "siret", "city", "is_head_office"]
    add_columns = edit_columns = [
        "member",
        "name",
        "siret",
        "address",
        "postal_code",
        "city",
        "is_head_office",
    ]
    show_columns = ["member", *add_columns[1:]]
    add_form_extra_fields = edit_form_extra_fields = {"siret": siret_field()}

    def pre_add(self, item):
        members.normalise_establishment(item)

    pre_update = pre_add

    def pre_delete(self, item):
        try:
            members.check_establishment_removable(item)
        except ServiceError as error:
            raise ValueError(str(MESSAGES[error.code])) from error


class BackofficeContactView(BackToMemberMixin, BaseModelView):
    datamodel = SQLAInterface(Contact)
    class_permission_name = "BackofficeContacts"
    list_title = show_title = _l("Contacts")
    add_title = _l("Add a contact")
    edit_title = _l("Edit a contact")
    add_row_message = _l("The contact is added.")
    edit_row_message = _l("The contact is saved.")
    delete_row_message = _l("The contact is deleted.")
    list_columns = ["last_name", "first_name", "role", "phone", "email"]
    search_columns = ["last_name", "first_name", "role", "email"]
    add_columns = edit_columns = ["member", "last_name", "first_name", "role", "phone", "email"]
    show_columns = add_columns


class BackofficeMemberView(BackToPageMixin, BaseModelView):
    datamodel = EagerInterface(Member, "centre", "health_team")
    class_permission_name = "BackofficeMembers"
    # No delete: a member that leaves is resigned (status), never deleted, since its rows
    # (invoices above all, which are never deleted) would go with it.
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_issue_letter"]
    list_title = _l("Members")
    show_title = _l("Member")
    add_title = _l("Add a member")
    edit_title = _l("Edit a member")
    add_row_message = _l("The member is created, with its head office as first establishment.")
    edit_row_message = _l("The member is saved.")
    show_template = "backoffice/member_show.html"
    related_views = [BackofficeEstablishmentView, BackofficeContactView, BackofficeDocumentView]
    list_columns = ["number", "name", "siret", "city", "centre", "health_team", "status"]
    search_columns = [
        "number",
        "name",
        "siret",
        "naf_code",
        "city",
        "postal_code",
        "status",
        "is_temp_agency",
        "centre",
        "health_team",
        "joined_on",
    ]
    order_columns = ["number", "name", "siret", "city", "status"]
    base_order = ("number", "asc")
    add_columns = edit_columns = [
        *MEMBER_COLUMNS[:-2],
        "status",
        "resigned_on",
        *MEMBER_COLUMNS[-2:],
    ]
    show_columns = add_columns
    add_form_extra_fields = edit_form_extra_fields = {
        "siret": siret_field(),
        "naf_code": naf_field(),
        "status": enum_field(MemberStatus, "status"),
    }

    def pre_add(self, item):
        members.prepare_new_member(item)

    def pre_update(self, item):
        members.normalise_member(item)
        members.follow_team(item)  # in the member's transaction: both saved, or neither

    def page_after_save(self, item) -> str:
        return url_for("BackofficeMemberView.show", pk=item.id)

    @expose("/letter/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("issue_letter")
    def letter(self, pk):
        """Issue new provisional credentials and return the letter to print (shown once)."""
        member = self.datamodel.get(pk, self._base_filters)
        if member is None:
            return Response(status=404)
        try:
            password = provisioning.issue_credentials(member, issued_by=g.user)
        except ServiceError as error:
            flash(MESSAGES[error.code], "danger")
            return redirect(url_for(".show", pk=pk))
        with force_locale("fr"):
            pdf = letters.provisioning_letter_for(member, password)
        db.session.commit()
        return letters.attachment(pdf, f"courrier-premiere-connexion-{member.number}.pdf")


class BackofficeMemberWithoutTeamView(BackofficeMemberView):
    """Members without a health team: their visit requests reach only the service's general
    address until staff assign them a team (issue 9)."""

    list_title = _l("Members without a health team")
    base_filters = [["health_team_id", FilterIsNull, None]]
