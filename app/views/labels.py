"""Column labels shared by every view (one place, translated through Babel)."""

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l

from app.domain.due_dates import DueReason
from app.domain.follow_up import FollowUp
from app.domain.visit_workflow import RequestStatus
from app.models.centre import ProfessionalRole
from app.models.employee import Contract, Language, Sex
from app.models.member import MemberStatus
from app.models.visit import Conclusion, VisitOutcome

LABELS = {
    "number": _l("Member number"),
    "name": _l("Name"),
    "siret": _l("SIRET"),
    "naf_code": _l("NAF code"),
    "address": _l("Address"),
    "postal_code": _l("Postal code"),
    "city": _l("Town"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "is_temp_agency": _l("Temporary-work agency"),
    "joined_on": _l("Membership date"),
    "status": _l("Status"),
    "resigned_on": _l("Resignation date"),
    "centre": _l("Centre"),
    "health_team": _l("Health team"),
    "member": _l("Member"),
    "establishments": _l("Establishments"),
    "contacts": _l("Contacts"),
    "is_head_office": _l("Head office"),
    "last_name": _l("Usage name"),
    "first_name": _l("First name"),
    "role": _l("Role"),
    "sector": _l("Sector"),
    "note": _l("Note"),
    "team": _l("Health team"),
    "professionals": _l("Professionals"),
    "code": _l("Code"),
    "label": _l("Label"),
    "declarable_from": _l("Declarable from"),
    "declarable_until": _l("Declarable until"),
    "risk": _l("Risk"),
    "category": _l("Follow-up category"),
    "valid_from": _l("Valid from"),
    "valid_until": _l("Valid until"),
    "categories": _l("Categories"),
    "performed_by": _l("Performed by"),
    "direction": _l("Direction"),
    "document_class": _l("Document class"),
    "subclasses": _l("Subclasses"),
    "cs_code": _l("CS code"),
    "cs_label": _l("Socio-professional category"),
    "gs_code": _l("GS code"),
    "gs_label": _l("Socio-professional group"),
    "insee_code": _l("INSEE code"),
    "commune": _l("Commune"),
    "delivery_label": _l("Delivery label"),
    "username": _l("Identifier"),
    "active": _l("Active"),
    "is_portal_contact": _l("Portal contact"),
    "must_change_password": _l("Must change password"),
    "locked_until": _l("Locked until"),
    "last_login": _l("Last login"),
    "roles": _l("Roles"),
    "at": _l("Date"),
    "actor": _l("By"),
    "action": _l("Action"),
    "target": _l("Target"),
    "details": _l("Details"),
    "birth_name": _l("Birth name"),
    "birth_date": _l("Date of birth"),
    "sex": _l("Sex"),
    "language": _l("Language"),
    "country": _l("Country"),
    "work_post": _l("Work post"),
    "complementary_info": _l("Complementary information"),
    "establishment": _l("Establishment"),
    "contract": _l("Contract"),
    "hired_on": _l("Hiring date"),
    "post_entry_on": _l("Date of entry in the post"),
    "contract_end_on": _l("End-of-contract date"),
    "category_on": _l("Category computed on"),
    "previous_category": _l("Previous category"),
    "category_changed_on": _l("Category changed on"),
    "last_exam_on": _l("Last examination"),
    "id": _l("File number"),
    "requested_at": _l("Requested on"),
    "exam_type": _l("Medical examination"),
    "scheduled_at": _l("Appointment"),
    "motive": _l("Motive"),
    "description": _l("Description"),
    "attachment_name": _l("Attached file"),
    "professional": _l("Health professional"),
    "employee": _l("Employee"),
    "visit_on": _l("Exam date"),
    "outcome": _l("Outcome"),
    "conclusion": _l("Conclusion"),
    "recommendations": _l("Recommendations"),
    "next_due_on": _l("Next visit due"),
    "recorded_at": _l("Recorded on"),
    "from_status": _l("From"),
    "to_status": _l("To"),
    "created_at": _l("Created"),
    "recipient": _l("Recipient"),
    "subject": _l("Subject"),
    "body": _l("Message"),
    "sent_at": _l("Sent"),
    "error": _l("Sending error"),
}

ENUM_LABELS = {
    MemberStatus.ACTIVE: _l("Active member"),
    MemberStatus.RESIGNED: _l("Resigned"),
    ProfessionalRole.PHYSICIAN: _l("Occupational physician"),
    ProfessionalRole.COLLABORATOR: _l("Collaborating physician"),
    ProfessionalRole.INTERN: _l("Occupational medicine intern"),
    ProfessionalRole.NURSE: _l("Occupational health nurse"),
    ProfessionalRole.ASSISTANT: _l("Medical assistant"),
    Sex.M: _l("Man"),
    Sex.F: _l("Woman"),
    Language.FR: _l("French"),
    Language.EN: _l("English"),
    Language.DE: _l("German"),
    Language.ES: _l("Spanish"),
    Language.IT: _l("Italian"),
    Language.PT: _l("Portuguese"),
    Language.AR: _l("Arabic"),
    Language.TR: _l("Turkish"),
    Language.OTHER: _l("Other language"),
    Contract.CDI: _l("Permanent contract (CDI)"),
    Contract.CDD: _l("Fixed-term contract (CDD)"),
    Contract.APPRENTICESHIP: _l("Apprenticeship contract"),
    Contract.PROFESSIONALISATION: _l("Professionalisation contract"),
    Contract.TEMPORARY: _l("Temporary assignment (interim)"),
    Contract.SEASONAL: _l("Seasonal contract"),
    Contract.OTHER: _l("Other contract"),
    RequestStatus.SUBMITTED: _l("Submitted"),
    RequestStatus.ACKNOWLEDGED: _l("Acknowledged"),
    RequestStatus.SCHEDULED: _l("Scheduled"),
    RequestStatus.DONE: _l("Done"),
    RequestStatus.ABSENT: _l("Absent"),
    RequestStatus.CANCELLED: _l("Cancelled"),
    Conclusion.ATTESTATION: _l("Follow-up certificate"),
    Conclusion.FIT: _l("Fit"),
    Conclusion.FIT_WITH_ADJUSTMENTS: _l("Fit with adjustments"),
    Conclusion.UNFIT: _l("Unfit"),
    Conclusion.NO_CONTRAINDICATION: _l("No medical contraindication"),
    VisitOutcome.SEEN: _l("Seen"),
    VisitOutcome.ABSENT: _l("Absent"),
    FollowUp.SI: _l("SI - Individual follow-up"),
    FollowUp.SIA: _l("SIA - Adapted individual follow-up"),
    FollowUp.SIR: _l("SIR - Reinforced individual follow-up"),
    # Why the next visit is due then (app.domain.due_dates.next_due).
    DueReason.BEFORE_ASSIGNMENT: _l("Exam before assignment to the post, not done yet"),
    DueReason.FIRST_VIP: _l("Initial VIP never done (3 months after taking the post)"),
    DueReason.FIRST_VIP_APPRENTICE: _l(
        "Initial VIP never done (2 months after taking the post, apprentice)"
    ),
    DueReason.PERIODIC_VIP_SI: _l("Periodic VIP (SI: 5 years after the last visit)"),
    DueReason.PERIODIC_VIP_SIA: _l("Periodic VIP (SIA: 3 years after the last visit)"),
    DueReason.EMA_PERIODIC: _l("Periodic EMA (SIR: 4 years after the last EMA)"),
    DueReason.INTERMEDIATE: _l("Intermediate visit (SIR: 2 years after the last EMA)"),
    DueReason.RADIATION_YEARLY: _l("Yearly EMA (ionising radiation, category A)"),
    DueReason.PROFESSIONAL: _l("Date set by the health professional"),
}


_BY_VALUE = {member.value: label for member, label in ENUM_LABELS.items()}


def enum_label(value):
    """The UI label of an enum member, given as a member or as its value (FAB's show page);
    nothing for no value (an absence has no conclusion)."""
    if value is None:
        return ""
    return ENUM_LABELS.get(value) or _BY_VALUE.get(value, value)


def yes_no(value):
    return _l("Yes") if value else _l("No")


def day(value):
    return format_date(value, "short") if value else ""


def moment(value):
    """Datetimes are stored in Paris local time (app.clock): shown as they are, not rebased."""
    return format_datetime(value, "short", rebase=False) if value else ""


def text_or_blank(value):
    """An empty relation shows as nothing rather than FAB's "None"."""
    return "" if value is None else value


def _each(names: str, formatter) -> dict:
    return dict.fromkeys(names.split(), formatter)


FORMATTERS = {
    **_each(
        "centre health_team professional actor member employee exam_type attachment_name "
        "recommendations description note phone email naf_code address postal_code city "
        "birth_name complementary_info error body",
        text_or_blank,
    ),
    **_each(
        "status role category previous_category sex language contract outcome conclusion "
        "from_status to_status",
        enum_label,
    ),
    **_each("is_temp_agency is_head_office active is_portal_contact must_change_password", yes_no),
    **_each(
        "joined_on resigned_on declarable_from declarable_until valid_from valid_until birth_date "
        "hired_on post_entry_on contract_end_on category_on category_changed_on last_exam_on "
        "visit_on next_due_on",
        day,
    ),
    **_each(
        "locked_until last_login at created_at sent_at requested_at scheduled_at recorded_at",
        moment,
    ),
}


# The audit log's actions (app.services.audit.record), as staff read them.
AUDIT_ACTIONS = {
    "account_active": _l("Account activated or deactivated"),
    "account_created": _l("Account created"),
    "account_deleted": _l("Account deleted"),
    "account_unlocked": _l("Account unlocked"),
    "campaign.changed": _l("Declaration campaign changed"),
    "campaign.created": _l("Declaration campaign opened"),
    "contact_message_answered": _l("Message answered by the service"),
    "contact_message_assigned": _l("Message assigned"),
    "contact_message_sent": _l("Message sent to the service"),
    "contact_message_status": _l("Message status changed"),
    "declaration.reopened": _l("Declaration reopened by the service"),
    "email_change_requested": _l("E-mail change requested"),
    "document_deposited": _l("Document deposited by the member"),
    "document_sent": _l("Document sent by the service"),
    "document_withdrawn": _l("Document withdrawn by the member"),
    "email_changed": _l("E-mail address confirmed"),
    "employees_exported_full_nir": _l("Employees exported with the full NIR"),
    "password_reset": _l("Password reset by link"),
    "password_reset_by_admin": _l("Provisional password issued"),
    "password_reset_requested": _l("Password reset link requested"),
    "portal_activated": _l("Portal activated (first connection)"),
    "portal_contact": _l("Portal contact changed"),
    "profile_updated": _l("Profile updated"),
    "provisional_credentials_issued": _l("First-connection letter issued"),
    "rights_changed": _l("Rights changed"),
    "visit_scheduled_after_exit": _l("Visit scheduled after the end of contract"),
}


def audit_action(code: str):
    return AUDIT_ACTIONS.get(code, code)
