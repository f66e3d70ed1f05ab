"""WTForms validators: thin adapters from the domain's error codes to translated messages."""

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Optional, ValidationError

from app.domain.identifiers import IdentifierError, check_naf, check_siret
from app.domain.inputs import MAX_YEAR, MIN_YEAR, is_plausible
from app.views.labels import LABELS

IDENTIFIER_MESSAGES = {
    IdentifierError.EMPTY: _l("This field is required."),
    IdentifierError.BAD_LENGTH: _l("A SIRET has 14 digits."),
    IdentifierError.NOT_DIGITS: _l("A SIRET has only digits."),
    IdentifierError.BAD_CHECKSUM: _l("This SIRET is not valid (wrong check digit)."),
    IdentifierError.BAD_FORMAT: _l("This SIRET is not valid."),
}
NAF_MESSAGE = _l("A NAF code has 4 digits and a letter, for example 8621Z.")


def siret(_form, field) -> None:
    _value, error = check_siret(field.data or "")
    if error is not None:
        raise ValidationError(IDENTIFIER_MESSAGES[error])


def naf(_form, field) -> None:
    if field.data:
        _value, error = check_naf(field.data)
        if error is not None:
            raise ValidationError(NAF_MESSAGE)


def _compact_siret(value):
    return check_siret(value)[0] if value else value


def _compact_naf(value):
    return check_naf(value)[0] if value else value


def siret_field():
    """A SIRET typed as printed (`732 829 320 00074`), stored compact and Luhn-checked."""
    return StringField(
        LABELS["siret"],
        filters=[_compact_siret],
        validators=[DataRequired(), siret],
        widget=BS3TextFieldWidget(),
    )


def naf_field():
    return StringField(
        LABELS["naf_code"],
        filters=[_compact_naf],
        validators=[Optional(), naf],
        widget=BS3TextFieldWidget(),
    )


DATE_BOUNDS_MESSAGE = _l(
    "Enter a date between the years %(first)d and %(last)d.", first=MIN_YEAR, last=MAX_YEAR
)


def plausible_date(_form, field) -> None:
    """Every date typed in a form, ours or FAB's (app.domain.inputs: years 1900 to 2100)."""
    if not is_plausible(field.data):
        raise ValidationError(DATE_BOUNDS_MESSAGE)
