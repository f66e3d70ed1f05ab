"""The back-office's forms of the declaration campaigns (issue 11): the campaign and its tariff,
amounts typed the French way (app.domain.billing.parse_amount), and the reopening's reason."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.services.declarations import MAX_REASON
from app.views.amounts import AmountField
from app.views.date_fields import french_date_field
from app.views.validators import REQUIRED_MESSAGE


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
