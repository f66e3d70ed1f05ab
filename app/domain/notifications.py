"""Which e-mails a member's user may receive and wants by default (issue 12, "Notifications").

Each kind of notice names the portal rights that make a collaborator eligible for it (the
administrator of the member's portal always is): a mail must not tell a user about what their
rights do not let them open. The portal contacts ("personne à contacter") get by default the
notices meant for the company as a whole; everyone else chooses in the profile. A mail never
carries medical content: the notices say that something happened and link to the portal.

The attestation de non contre-indication (NCI, exam_types.csv: "valid 5 years", décret
2025-355) expires at its validity's end; it is announced a few months before (settings).
"""

import enum
from dataclasses import dataclass
from datetime import date

ADMIN_ROLE = "MemberAdmin"  # app.permissions.ROLE_MEMBER_ADMIN (the domain imports no app code)


class Notice(enum.Enum):
    VISIT_SCHEDULED = "visit_scheduled"
    VISIT_OUTCOME = "visit_outcome"
    DOCUMENT_SENT = "document_sent"
    MESSAGE_ANSWERED = "message_answered"
    CAMPAIGN = "campaign"
    DUERP_REMINDER = "duerp_reminder"
    INVOICE_ISSUED = "invoice_issued"
    NCI_EXPIRING = "nci_expiring"


@dataclass(frozen=True)
class NoticeRule:
    rights: frozenset[str]  # portal right roles that make a collaborator eligible
    for_contacts: bool  # the portal contacts get it by default (and may get it without a right)
    for_everyone: bool = False  # on by default for every eligible user


RULES: dict[Notice, NoticeRule] = {
    Notice.VISIT_SCHEDULED: NoticeRule(frozenset({"right.visits"}), for_contacts=False),
    Notice.VISIT_OUTCOME: NoticeRule(frozenset({"right.visits"}), for_contacts=False),
    Notice.DOCUMENT_SENT: NoticeRule(frozenset({"right.documents"}), for_contacts=True),
    # Sent to the message's author only, who can always read their own messages.
    Notice.MESSAGE_ANSWERED: NoticeRule(frozenset(), for_contacts=True, for_everyone=True),
    Notice.CAMPAIGN: NoticeRule(frozenset({"right.declaration"}), for_contacts=True),
    Notice.DUERP_REMINDER: NoticeRule(frozenset({"right.documents"}), for_contacts=True),
    Notice.INVOICE_ISSUED: NoticeRule(frozenset({"right.invoices"}), for_contacts=True),
    # Its link opens the list of attestations to renew, a report (Rapports).
    Notice.NCI_EXPIRING: NoticeRule(frozenset({"right.reports"}), for_contacts=False),
}


def eligible(notice: Notice, roles: set[str], is_contact: bool) -> bool:
    """May a member's user with these role names receive the notice at all?"""
    rule = RULES[notice]
    if ADMIN_ROLE in roles or rule.for_everyone:
        return True
    return bool(rule.rights & roles) or (rule.for_contacts and is_contact)


def default_on(notice: Notice, roles: set[str], is_contact: bool) -> bool:
    """The choice of a user who never changed it: on for the administrator, on for the portal
    contacts where the notice concerns the company, off for other collaborators (they opt in)."""
    if not eligible(notice, roles, is_contact):
        return False
    rule = RULES[notice]
    return ADMIN_ROLE in roles or rule.for_everyone or (rule.for_contacts and is_contact)


def wants(notice: Notice, roles: set[str], is_contact: bool, choice: bool | None) -> bool:
    """Does the user get the notice: their own choice if they made one, else the default;
    never when not eligible (a choice kept from a right since withdrawn counts for nothing)."""
    if not eligible(notice, roles, is_contact):
        return False
    return default_on(notice, roles, is_contact) if choice is None else choice


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has 28 days


def nci_expires_on(visit_on: date, validity_months: int) -> date:
    return add_months(visit_on, validity_months)


def nci_due_for_notice(
    visit_on: date, today: date, validity_months: int, notice_months: int
) -> bool:
    """The attestation expires within `notice_months` from today (or has just expired: a
    reminder missed on the day is still worth sending), counted from the visit's date."""
    expires = nci_expires_on(visit_on, validity_months)
    return add_months(today, -notice_months) < expires <= add_months(today, notice_months)
