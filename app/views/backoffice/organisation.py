"""Back-office: the service's centres and health teams."""

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.models.centre import Centre, HealthProfessional, HealthTeam, ProfessionalRole
from app.views.common import BaseModelView, enum_field


class BackofficeHealthProfessionalView(BaseModelView):
    datamodel = SQLAInterface(HealthProfessional)
    class_permission_name = "BackofficeHealthProfessionals"
    list_title = show_title = _l("Health professionals")
    add_title = _l("Add a health professional")
    edit_title = _l("Edit a health professional")
    list_columns = ["role", "last_name", "first_name", "email", "phone", "team"]
    search_columns = ["role", "last_name", "first_name", "email", "team"]
    add_columns = edit_columns = show_columns = [
        "team",
        "role",
        "last_name",
        "first_name",
        "email",
        "phone",
    ]
    add_form_extra_fields = edit_form_extra_fields = {"role": enum_field(ProfessionalRole, "role")}


class BackofficeHealthTeamView(BaseModelView):
    # Its edit page opens on the form, not on the professionals' tab last seen.
    edit_template = "forms/edit.html"

    datamodel = SQLAInterface(HealthTeam)
    class_permission_name = "BackofficeHealthTeams"
    list_title = show_title = _l("Health teams")
    add_title = _l("Add a health team")
    edit_title = _l("Edit a health team")
    related_views = [BackofficeHealthProfessionalView]
    list_columns = ["name", "centre", "email", "phone"]
    search_columns = ["name", "centre", "email"]
    add_columns = edit_columns = show_columns = ["name", "centre", "email", "phone"]


class BackofficeCentreView(BaseModelView):
    # Its edit page opens on the form; the town follows the postal code.
    add_template = "forms/add.html"
    edit_template = "forms/edit.html"

    datamodel = SQLAInterface(Centre)
    class_permission_name = "BackofficeCentres"
    list_title = show_title = _l("Centres")
    add_title = _l("Add a centre")
    edit_title = _l("Edit a centre")
    related_views = [BackofficeHealthTeamView]
    list_columns = ["sector", "name", "postal_code", "city", "phone"]
    search_columns = ["sector", "name", "city", "postal_code"]
    base_order = ("sector", "asc")
    add_columns = edit_columns = show_columns = [
        "sector",
        "name",
        "address",
        "postal_code",
        "city",
        "phone",
        "note",
    ]
