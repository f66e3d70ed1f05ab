"""Who may receive which e-mail notice and who gets it by default (issue 12, "Notifications"),
the month arithmetic and the NCI reminder's window (app.domain.notifications)."""

from datetime import date

import pytest

from app.domain.notifications import (
    ADMIN_ROLE,
    Notice,
    add_months,
    default_on,
    eligible,
    nci_due_for_notice,
    nci_expires_on,
    wants,
)

ADMIN = {ADMIN_ROLE}
VISITS = {"right.visits"}
DOCUMENTS = {"right.documents"}
INVOICES = {"right.invoices"}
EMPLOYEES_READ = {"right.employees.read"}
NOBODY = set()


@pytest.mark.parametrize("notice", list(Notice))
def test_the_administrator_may_receive_every_notice_and_gets_it_by_default(notice):
    assert eligible(notice, ADMIN, is_contact=False)
    assert default_on(notice, ADMIN, is_contact=False)
    assert wants(notice, ADMIN, False, None)


@pytest.mark.parametrize(
    "notice, roles, contact, is_eligible, on",
    [
        # A collaborator with the right opts in; without it, never.
        (Notice.VISIT_SCHEDULED, VISITS, False, True, False),
        (Notice.VISIT_SCHEDULED, DOCUMENTS, False, False, False),
        (Notice.VISIT_OUTCOME, VISITS, False, True, False),
        (Notice.VISIT_OUTCOME, NOBODY, True, False, False),  # a contact without the right
        (Notice.DOCUMENT_SENT, DOCUMENTS, False, True, False),
        (Notice.DOCUMENT_SENT, NOBODY, True, True, True),  # the company's contact
        (Notice.DOCUMENT_SENT, VISITS, False, False, False),
        (Notice.INVOICE_ISSUED, INVOICES, False, True, False),
        (Notice.INVOICE_ISSUED, NOBODY, True, True, True),
        (Notice.CAMPAIGN, NOBODY, True, True, True),
        (Notice.CAMPAIGN, {"right.declaration"}, False, True, False),
        (Notice.DUERP_REMINDER, NOBODY, True, True, True),
        # The NCI's link opens a report: the reports right, not the employees' (which alone
        # would lead to a page refused).
        (Notice.NCI_EXPIRING, {"right.reports"}, False, True, False),
        (Notice.NCI_EXPIRING, EMPLOYEES_READ, False, False, False),
        (Notice.NCI_EXPIRING, {"right.employees.write"}, False, False, False),
        (Notice.NCI_EXPIRING, NOBODY, True, False, False),
        # The author of a message always may, and gets the answer by default.
        (Notice.MESSAGE_ANSWERED, NOBODY, False, True, True),
    ],
)
def test_eligibility_and_default_per_right_and_contact_flag(
    notice, roles, contact, is_eligible, on
):
    assert eligible(notice, roles, contact) is is_eligible
    assert default_on(notice, roles, contact) is on
    assert wants(notice, roles, contact, None) is on


def test_an_explicit_choice_wins_over_the_default():
    assert wants(Notice.DOCUMENT_SENT, ADMIN, False, False) is False
    assert wants(Notice.DOCUMENT_SENT, NOBODY, True, False) is False
    assert wants(Notice.VISIT_SCHEDULED, VISITS, False, True) is True


def test_a_choice_kept_from_a_withdrawn_right_counts_for_nothing():
    assert wants(Notice.VISIT_SCHEDULED, DOCUMENTS, False, True) is False
    assert wants(Notice.INVOICE_ISSUED, NOBODY, False, True) is False


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -3, date(2025, 10, 15)),
        (date(2024, 2, 29), 60, date(2029, 2, 28)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_the_nci_expires_after_its_validity():
    assert nci_expires_on(date(2021, 6, 15), 60) == date(2026, 6, 15)


@pytest.mark.parametrize(
    "visit_on, due",
    [
        (date(2021, 8, 31), True),  # expires 2026-08-31: three months to the day from today
        (date(2021, 9, 1), False),  # a day beyond the window
        (date(2021, 5, 31), True),  # expires today
        (date(2021, 3, 1), True),  # expired in the last three months: still worth a reminder
        (date(2021, 2, 28), False),  # expired three months ago to the day: too late
        (date(2021, 2, 27), False),
        (date(2025, 1, 1), False),  # far from its end
    ],
)
def test_nci_due_for_notice_boundaries(visit_on, due):
    today = date(2026, 5, 31)
    assert nci_due_for_notice(visit_on, today, validity_months=60, notice_months=3) is due
