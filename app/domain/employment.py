"""Dates of an employment: birth, hiring (embauche), entry in the post, end of the contract.

Rules: shared/spec/domain-rules.md §3 and the employee form of the user manual
(shared/seed/manuel-portail-adherent.txt): the employee is born before being hired, and takes the
post and ends the contract no earlier than the hiring day. Work is forbidden under 16 except for
apprentices (15) and a few exceptions at 14 (Code du travail L4153-1): a hiring before 14 is
refused. Entering an end date closes the file: the employee leaves the workforce after that day.
"""

import enum
from datetime import date

MIN_HIRING_AGE = 14


class DateError(enum.Enum):
    BIRTH_NOT_BEFORE_HIRING = "birth_not_before_hiring"
    TOO_YOUNG = "too_young"
    ENTRY_BEFORE_HIRING = "entry_before_hiring"
    END_BEFORE_HIRING = "end_before_hiring"
    IN_FUTURE_BIRTH = "in_future_birth"


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on `day`; someone born on 29 Feb turns a year older on 1 Mar in common
    years. Negative when `day` is more than a year before the birth."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def _birth_error(birth_date: date, hired_on: date | None, today: date) -> DateError | None:
    if birth_date > today:
        return DateError.IN_FUTURE_BIRTH
    if hired_on is not None and birth_date >= hired_on:
        return DateError.BIRTH_NOT_BEFORE_HIRING
    return None


def check_dates(
    birth_date: date | None,
    hired_on: date | None,
    post_entry_on: date | None,
    contract_end_on: date | None,
    today: date,
) -> dict[str, DateError]:
    """The errors keyed by the field to correct; empty when the dates agree. None dates are skipped.

    A birth in the future or not before the hiring is reported on `birth_date`; a hiring before
    the age of 14 on `hired_on` (checked only when the birth date itself is plausible); the post
    entry and the contract end before the hiring on their own field.
    """
    errors: dict[str, DateError] = {}
    birth_error = _birth_error(birth_date, hired_on, today) if birth_date else None
    if birth_error is not None:
        errors["birth_date"] = birth_error
    elif birth_date and hired_on and age_on(birth_date, hired_on) < MIN_HIRING_AGE:
        errors["hired_on"] = DateError.TOO_YOUNG
    if hired_on is not None and post_entry_on is not None and post_entry_on < hired_on:
        errors["post_entry_on"] = DateError.ENTRY_BEFORE_HIRING
    if hired_on is not None and contract_end_on is not None and contract_end_on < hired_on:
        errors["contract_end_on"] = DateError.END_BEFORE_HIRING
    return errors


def is_in_workforce(contract_end_on: date | None, today: date) -> bool:
    """True without an end date or before it. Manual, chapter 7: filling in the end-of-contract
    date and saving closes the file at once, so the employee leaves the workforce on that day
    (the list query `employee_list._conditions` applies the same rule in SQL)."""
    return contract_end_on is None or contract_end_on > today
