"""The employee form (manual, "Ajouter un salarié": fields, labels and required marks)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.models.employee import Contract, Language, Sex
from app.views.date_fields import french_date_field
from app.views.labels import ENUM_LABELS
from app.views.portal.account_forms import REQUIRED
from app.views.validators import city_field, postal_code_field


def _choices(enum_class):
    return [(member.name, ENUM_LABELS[member]) for member in enum_class]


class EmployeeForm(FlaskForm):
    last_name = StringField(_l("Usage name"), [REQUIRED, Length(max=100)])
    first_name = StringField(_l("First name"), [REQUIRED, Length(max=100)])
    birth_name = StringField(_l("Birth name"), [Optional(), Length(max=100)])
    nir = StringField(_l("Social security number"), [Optional(), Length(max=25)])
    uses_ntt = BooleanField(_l("Temporary technical number (NTT)"))
    ntt = StringField(_l("NTT"), [Optional(), Length(max=45)])
    language = SelectField(_l("Language"), choices=_choices(Language), default="FR")
    sex = RadioField(
        _l("Sex"), [DataRequired(message=_l("This field is required."))], choices=_choices(Sex)
    )
    birth_date = french_date_field(_l("Date of birth"), required=True)
    address = StringField(_l("Address"), [Optional(), Length(max=250)])
    country = StringField(_l("Country"), [Optional(), Length(max=60)], default="France")
    # Checked against La Poste's list when the country is France (the town follows the code).
    postal_code = postal_code_field(_l("Postal code"), max_length=10)
    city = city_field(_l("Town"), max_length=100)
    work_post_id = SelectField(_l("Work post"), [REQUIRED], coerce=int)
    complementary_info = TextAreaField(
        _l("Complementary information"), [Optional(), Length(max=250)]
    )
    establishment_id = SelectField(_l("Establishment"), [REQUIRED], coerce=int)
    hired_on = french_date_field(_l("Hiring date"), required=True)
    contract = SelectField(_l("Contract"), [REQUIRED], choices=_choices(Contract))
    post_entry_on = french_date_field(_l("Date of entry in the post"), required=True)
    contract_end_on = french_date_field(_l("End-of-contract date"))
    version = HiddenField()
    risk_errors: list = []  # errors of the risk checkboxes (not a WTForms field)


class WorkPostForm(FlaskForm):
    pcs_code = StringField(_l("PCS code"), [REQUIRED, Length(max=10)])
    designation = StringField(_l("Work post designation"), [REQUIRED, Length(max=200)])
    description = TextAreaField(_l("Description"), [REQUIRED, Length(max=1000)])
