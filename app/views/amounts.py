"""Amounts in euros as the portal shows them: "1 234,50 €" (Babel's grouping and decimal sign for
the locale, two decimals, a no-break space before the sign)."""

from flask_babel import format_decimal


def money(value) -> str:
    return "" if value is None else f"{format_decimal(value, '#,##0.00')}\u00a0€"
