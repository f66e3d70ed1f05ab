"""The back-office's invoice forms (issue 11): a payment (date, amount typed the French way,
means, reference), a credit note's reason, and a hand-made invoice (member number, up to five
lines, comment). Amounts and quantities are parsed by app.domain.billing.parse_amount."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.models.billing import PaymentMeans
from app.services.invoices import MAX_LABEL, MAX_NOTE, MAX_REFERENCE
from app.views.amounts import AmountField
from app.views.date_fields import french_date_field
from app.views.validators import REQUIRED_MESSAGE

QUANTITY_MESSAGE = _l(
    "Enter a quantity above zero, with at most two decimals, for example 1 or 2,5."
)
LINE_MESSAGE = _l("Give the line's label, quantity and unit price, or leave all three empty.")
MAX_LINES = 5
MEANS = [
    (PaymentMeans.TRANSFER.value, _l("Transfer")),
    (PaymentMeans.CHEQUE.value, _l("Cheque")),
    (PaymentMeans.CREDIT.value, _l("Set against a credit note")),
]


class PaymentForm(FlaskForm):
    paid_on = french_date_field(_l("Payment date"), required=True)
    amount = AmountField(_l("Amount (EUR)"), [InputRequired(REQUIRED_MESSAGE)])
    means = SelectField(_l("Means"), choices=MEANS, validators=[InputRequired(REQUIRED_MESSAGE)])
    reference = StringField(
        _l("Reference (cheque number, transfer label)"), [Optional(), Length(max=MAX_REFERENCE)]
    )


class CreditForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the credit note"), [InputRequired(REQUIRED_MESSAGE), Length(max=300)]
    )


class LineForm(Form):
    label = StringField(_l("Label"), [Optional(), Length(max=MAX_LABEL)])
    quantity = AmountField(_l("Quantity"), message=QUANTITY_MESSAGE, shown="0.##")
    unit_price = AmountField(_l("Unit price excl. VAT (EUR)"), allow_zero=True)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        given = [bool((self.label.data or "").strip()), bool(self.quantity.raw_data and
                 self.quantity.raw_data[0].strip()), bool(self.unit_price.raw_data and
                 self.unit_price.raw_data[0].strip())]  # fmt: skip
        if any(given) and not all(given):
            self.label.errors = [*self.label.errors, str(LINE_MESSAGE)]
            return False
        return valid

    @property
    def filled(self) -> bool:
        return bool((self.label.data or "").strip())


class InvoiceForm(FlaskForm):
    member_number = StringField(
        _l("Member number"), [InputRequired(REQUIRED_MESSAGE), Length(max=10)]
    )
    lines = FieldList(FormField(LineForm), min_entries=MAX_LINES, max_entries=MAX_LINES)
    note = TextAreaField(_l("Comment (printed on the invoice)"), [Optional(), Length(max=MAX_NOTE)])

    def validate_lines(self, field) -> None:
        if not any(entry.form.filled for entry in field.entries):
            raise ValidationError(_("Give at least one line."))
