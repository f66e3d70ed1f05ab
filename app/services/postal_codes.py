"""Postal codes and towns against La Poste's list (table postal_code, loaded by `flask setup` from
app/data/reference/postal_codes.csv): a French address's postal code must exist, and its town must
be one of the code's communes (issue 9, "Forms"; rules in app.domain.contact_details)."""

from dataclasses import dataclass

from sqlalchemy import select

from app.domain.contact_details import (
    ContactError,
    cedex_town,
    check_postal_code,
    city_key,
    match_city,
)
from app.extensions import db
from app.models.reference import PostalCode


@dataclass(frozen=True)
class Address:
    """The checked postal code and town; `communes` are the code's, for the message or the
    choice."""

    postal_code: str
    city: str | None
    communes: tuple[str, ...]
    error: ContactError | None = None


def communes(postal_code: str) -> list[str]:
    """The communes of a five-digit postal code, as La Poste names them (also the delivery label
    when it differs: `PARIS` for `PARIS 01`), without duplicates, sorted."""
    if check_postal_code(postal_code)[1] is not None:
        return []
    rows = db.session.execute(
        select(PostalCode.commune, PostalCode.delivery_label).where(
            PostalCode.postal_code == postal_code
        )
    ).all()
    return sorted({name for row in rows for name in row})


def _department_known(postal_code: str) -> bool:
    """Whether La Poste's list has codes of the department (first two digits) of `postal_code`."""
    prefix = postal_code[:2]
    return (
        db.session.scalar(
            select(PostalCode.postal_code).where(PostalCode.postal_code.startswith(prefix)).limit(1)
        )
        is not None
    )


def check_address(postal_code: str | None, city: str | None) -> Address:
    """The postal code compacted, and the town: filled in when the code has one commune and the
    town is empty or not one of the code's, written as La Poste does when it matches; an error
    when the code is malformed or unknown, or when the code has several communes and the town is
    none of them."""
    code, error = check_postal_code(postal_code)
    if error is not None:
        return Address(code, city, (), error)
    if cedex_town(city) is not None and _department_known(code):
        # CEDEX codes are a company's own delivery codes, not in the list of communes: the code's
        # department must exist; the label is kept as La Poste would print it.
        return Address(code, city_key(city), ())
    names = communes(code)
    if not names:
        return Address(code, city, (), ContactError.UNKNOWN_POSTAL_CODE)
    found = match_city(city, names)
    if found is not None:
        return Address(code, found, tuple(names))
    if len(names) == 1:  # the town follows the code
        return Address(code, names[0], tuple(names))
    return Address(code, city, tuple(names), ContactError.CITY_NOT_IN_POSTAL_CODE)
