"""Portal: "Entreprise", the member's administrative data, establishments and contacts, and the
coordinates of its health team (manual, "Données administratives de votre entreprise")."""

from flask import redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app import permissions
from app.models.member import Contact, Establishment, Member
from app.views.common import (
    MEMBER_COLUMNS,
    READ_ONLY_ROUTES,
    BaseModelView,
    TenantModelView,
    current_member_id,
)
from app.views.redirects import BackToPageMixin
from app.views.validators import naf_field


class PortalEstablishmentView(TenantModelView):
    datamodel = SQLAInterface(Establishment)
    class_permission_name = permissions.PORTAL_ESTABLISHMENTS
    base_permissions = ["can_list", "can_show"]
    exclude_route_methods = READ_ONLY_ROUTES
    list_title = show_title = _l("Establishments")
    list_columns = ["name", "siret", "address", "postal_code", "city", "is_head_office"]
    show_columns = list_columns
    search_columns = ["name", "siret", "city"]


class BackToCompanyMixin(BackToPageMixin):
    def page_after_save(self, item) -> str:
        return url_for("PortalCompanyView.show", pk=current_member_id())


class PortalContactView(BackToCompanyMixin, TenantModelView):
    datamodel = SQLAInterface(Contact)
    class_permission_name = permissions.PORTAL_CONTACTS
    list_title = show_title = _l("Contacts")
    add_title = _l("Add a contact")
    edit_title = _l("Edit a contact")
    add_row_message = _l("The contact is added.")
    edit_row_message = _l("The contact is saved.")
    delete_row_message = _l("The contact is deleted.")
    list_columns = ["last_name", "first_name", "role", "phone", "email"]
    search_columns = ["last_name", "first_name", "role", "email"]
    add_columns = edit_columns = show_columns = list_columns


class PortalCompanyView(BackToCompanyMixin, BaseModelView):
    datamodel = SQLAInterface(Member)
    class_permission_name = permissions.PORTAL_COMPANY
    base_permissions = ["can_list", "can_show", "can_edit"]
    exclude_route_methods = {"download", "add", "delete", "action", "action_post"}
    base_filters = [["id", FilterEqualFunction, current_member_id]]
    show_template = "portal/company_show.html"
    list_title = show_title = _l("My company")
    edit_title = _l("Edit my company's administrative data")
    edit_row_message = _l("Your company's administrative data are saved.")
    related_views = [PortalEstablishmentView, PortalContactView]
    list_columns = ["number", "name", "siret", "city"]
    search_columns = ["name"]
    show_columns = MEMBER_COLUMNS
    # Identity, membership and assignment are the service's: the member edits its coordinates.
    edit_columns = ["naf_code", "address", "postal_code", "city", "phone", "email"]
    edit_form_extra_fields = {"naf_code": naf_field()}

    @expose("/mine/")
    @has_access
    @permission_name("list")
    def mine(self):
        return redirect(url_for(".show", pk=current_member_id()))

    @expose("/list/")
    @has_access
    @permission_name("list")
    def list(self):
        return self.mine()
