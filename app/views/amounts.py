"""Amounts in euros as the portal shows them: "1 234,50 €" (Babel's grouping and decimal sign for
the locale, two decimals, a no-break space before the sign), and the form field that reads them
typed the French way."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.widgets import TextInput

from app.domain.billing import parse_amount

AMOUNT_MESSAGE = _l("Enter an amount in euros, for example 115,50.")


def money(value, currency: str = "€") -> str:
    """An amount for a page (a template global); `currency` "" for a bare figure."""
    if value is None:
        return ""
    text = format_decimal(value, "#,##0.00")
    return f"{text}\u00a0{currency}" if currency else text


class AmountField(Field):
    """A Decimal typed "115,50", "1 234.5" or "80 €" (None when empty; app.domain.billing
    .parse_amount); `allow_zero` for a unit price, `message` and `shown` ("0.##") for a
    quantity."""

    widget = TextInput()

    def __init__(
        self, label=None, validators=None, allow_zero=False, message=None, shown="0.00", **kwargs
    ):
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero
        self.message = message or AMOUNT_MESSAGE
        self.shown = shown  # Babel's pattern of the value shown again

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_decimal(self.data, self.shown)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_amount(text, allow_zero=self.allow_zero) if text else None
        if text and self.data is None:
            raise ValueError(str(self.message))
