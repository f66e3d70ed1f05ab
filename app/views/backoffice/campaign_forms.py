"""The back-office's forms of the declaration campaigns (issue 11): the campaign and its tariff,
amounts typed the French way (app.domain.billing.parse_amount), and the reopening's reason."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from app.domain.billing import parse_amount
from app.services.declarations import MAX_REASON
from app.views.date_fields import french_date_field
from app.views.validators import REQUIRED_MESSAGE

AMOUNT_MESSAGE = _l("Enter an amount in euros, for example 115,50.")


def euros(value) -> str:
    """An amount the French way: 1 234,50 €."""
    return "" if value is None else f"{format_decimal(value, '#,##0.00')}\u00a0€"


class AmountField(Field):
    """An amount in euros typed "115,50", "1 234.5" or "80 €"; shown "115,50"."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_decimal(self.data, "0.00")

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_amount(text) if text else None
        if text and self.data is None:
            raise ValueError(str(AMOUNT_MESSAGE))


class CampaignForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        [InputRequired(REQUIRED_MESSAGE), NumberRange(2000, 2100, _l("Enter a year, e.g. 2026."))],
    )
    opens_on = french_date_field(_l("Opening date"), required=True)
    closes_on = french_date_field(_l("Closing date"), required=True)
    base_fee = AmountField(_l("Base fee per employee (EUR)"), [InputRequired(REQUIRED_MESSAGE)])
    entry_fee = AmountField(_l("Entry fee for new members (EUR)"), [Optional()])
    no_show_fee = AmountField(_l("No-show penalty (EUR)"), [Optional()])
    national_average_cost = AmountField(
        _l("National average cost of the year (EUR)"), [InputRequired(REQUIRED_MESSAGE)]
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for reopening"),
        [InputRequired(REQUIRED_MESSAGE), Length(max=MAX_REASON)],
    )
