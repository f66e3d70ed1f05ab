"""WTForms validators: thin adapters from the domain's error codes to translated messages."""

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.domain.contact_details import (
    MAX_EMAIL,
    MAX_PHONE,
    ContactError,
    check_postal_code,
    is_france,
    normalise_email,
    normalise_phone,
)
from app.domain.identifiers import IdentifierError, check_naf, check_siret
from app.domain.inputs import MAX_YEAR, MIN_YEAR, is_plausible
from app.services import postal_codes
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


# --- E-mail addresses, phone numbers, postal codes and towns (issue 9, "Forms") ----------------

REQUIRED_MESSAGE = _l("This field is required.")
CONTACT_MESSAGES = {
    ContactError.BAD_EMAIL: _l("This e-mail address is not valid."),
    ContactError.BAD_PHONE: _l(
        "This phone number is not valid: type a French number (03 22 33 44 55) or a foreign one "
        "with its country code (+44 20 7946 0958)."
    ),
    ContactError.BAD_POSTAL_CODE: _l("A French postal code has 5 digits, for example 80000."),
    ContactError.UNKNOWN_POSTAL_CODE: _l(
        "The postal code %(code)s is not in La Poste's list of postal codes."
    ),
    ContactError.CITY_NOT_IN_POSTAL_CODE: _l(
        "The town does not match the postal code %(code)s, which covers: %(towns)s."
    ),
}


def _normalised(normalise):
    """A WTForms filter: the normalised value when valid, the typed one otherwise (the validator
    then says why)."""

    def keep_or_normalise(value):
        if not isinstance(value, str) or not value.strip():
            return value
        normalised, error = normalise(value)
        return value if error else normalised

    return keep_or_normalise


def email(_form, field) -> None:
    if field.data and normalise_email(field.data)[1] is not None:
        raise ValidationError(CONTACT_MESSAGES[ContactError.BAD_EMAIL])


def phone(_form, field) -> None:
    if field.data and normalise_phone(field.data)[1] is not None:
        raise ValidationError(CONTACT_MESSAGES[ContactError.BAD_PHONE])


def _in_france(form) -> bool:
    country = getattr(form, "country", None)
    return country is None or is_france(country.data)


def _address(form):
    """The form's postal code and town against La Poste's list (None outside France or
    without a postal code)."""
    code = getattr(form, "postal_code", None)
    if code is None or not (code.data or "").strip() or not _in_france(form):
        return None
    city = getattr(form, "city", None)
    return postal_codes.check_address(code.data, city.data if city is not None else None)


def _compact_postal_code(value):
    """`80 000` typed as printed: five digits once the spaces are gone (a foreign code such as
    `SW1A 1AA` keeps its space)."""
    if not isinstance(value, str):
        return value
    code, error = check_postal_code(value)
    return code if error is None else value.strip()


def postal_code(form, field) -> None:
    address = _address(form)
    if address is None:
        return
    if address.error in (ContactError.BAD_POSTAL_CODE, ContactError.UNKNOWN_POSTAL_CODE):
        raise ValidationError(CONTACT_MESSAGES[address.error] % {"code": address.postal_code})
    field.data = address.postal_code


def city_of_postal_code(form, field) -> None:
    """The town follows the postal code: filled in when the code has one commune, written as La
    Poste does when it names one of the code's communes, refused with the list otherwise."""
    address = _address(form)
    if address is None or address.error in (
        ContactError.BAD_POSTAL_CODE,
        ContactError.UNKNOWN_POSTAL_CODE,
    ):
        return  # the postal code's own message says it
    if address.error is not None:
        towns = ", ".join(address.communes)
        raise ValidationError(
            CONTACT_MESSAGES[address.error] % {"code": address.postal_code, "towns": towns}
        )
    field.data = address.city


def _presence(required: bool):
    return DataRequired(message=REQUIRED_MESSAGE) if required else Optional()


def email_field(label, required: bool = False, max_length: int = MAX_EMAIL) -> StringField:
    return StringField(
        label,
        [_presence(required), Length(max=min(max_length, MAX_EMAIL)), email],
        filters=[_normalised(normalise_email)],
        widget=BS3TextFieldWidget(),
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )


def phone_field(label, required: bool = False, max_length: int = MAX_PHONE) -> StringField:
    """Up to 40 characters typed (`+33 (0)3 22 33 44 55`), stored within `max_length`."""
    return StringField(
        label,
        [_presence(required), Length(max=40), phone],
        filters=[_normalised(normalise_phone)],
        widget=BS3TextFieldWidget(),
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )


def postal_code_field(label, required: bool = False, max_length: int = 10) -> StringField:
    """Compacted (`80 000`) and checked when the address is in France."""
    return StringField(
        label,
        [_presence(required), Length(max=max_length), postal_code],
        filters=[_compact_postal_code],
        widget=BS3TextFieldWidget(),
        render_kw={"data-postal-code": "", "inputmode": "numeric", "autocomplete": "postal-code"},
    )


def city_field(label, required: bool = False, max_length: int = 100) -> StringField:
    # No `Optional`: an empty town is filled in from the postal code.
    presence = [DataRequired(message=REQUIRED_MESSAGE)] if required else []
    return StringField(
        label,
        [*presence, Length(max=max_length), city_of_postal_code],
        widget=BS3TextFieldWidget(),
        render_kw={"data-city": "", "autocomplete": "address-level2"},
    )
