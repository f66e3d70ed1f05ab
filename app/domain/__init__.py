"""Pure rules of the trade: no Flask, no SQLAlchemy, no clock (dates are passed in)."""
