"""Messages for the services' error codes (app.services.ServiceError.code)."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.views.amounts import money

MESSAGES = {
    "last_establishment": _l("A member keeps at least one establishment."),
    "member_resigned": _l("This member has resigned: no portal access can be issued."),
    "already_activated": _l("This member's portal is already activated."),
    "bad_provisional": _l(
        "These provisional credentials are not valid. Check the letter you received, or "
        "contact the service if your portal is already activated."
    ),
    "identifier_is_member_number": _l("Choose an identifier different from your member number."),
    "identifier_taken": _l("This identifier is not available: choose another one."),
    "password_too_short": _l("The password must have at least 12 characters."),
    "password_too_long": _l("The password must have at most 128 characters."),
    "password_guessable": _l(
        "This password is too easy to guess (common word, name, sequence or your own data): "
        "choose a longer or less predictable one, for example a sentence."
    ),
    "wrong_current_password": _l(
        "Your current password is required to change your identifier, your password, your e-mail "
        "address or the contact person box, and the one given is not right."
    ),
    "bad_token": _l("This link is no longer valid: it has expired or has already been used."),
    "last_admin": _l(
        "The company must keep at least one active administrator: give this right to another "
        "user first."
    ),
    "unknown_right": _l("This right does not exist."),
    # employees
    "invalid_employee": _l("The employee could not be saved: see the messages on the fields."),
    "stale_employee": _l(
        "This employee was changed by someone else since you opened the page: your changes are "
        "not saved. Reload the record and enter them again."
    ),
    "nir_empty": _l("Enter the social security number, or tick NTT and enter the NTT."),
    "nir_bad_length": _l("A social security number has 15 characters (13 digits and the key)."),
    "nir_bad_characters": _l("A social security number has digits only (2A or 2B for Corsica)."),
    "nir_bad_sex": _l("A social security number starts with 1 (man) or 2 (woman)."),
    "nir_bad_month": _l("The month of birth in the social security number is not valid."),
    "nir_bad_department": _l("The department of birth in the social security number is not valid."),
    "nir_bad_key": _l("The key of this social security number is wrong: check the number."),
    "duplicate_nir": _l("An employee with this social security number is already declared."),
    "ntt_empty": _l("Enter the NTT."),
    "ntt_bad_length": _l("An NTT has 11 to 40 characters."),
    "ntt_bad_sex": _l("An NTT starts with 1 (man) or 2 (woman), consistent with the sex."),
    "ntt_bad_siren": _l("Characters 2 to 10 of the NTT are your company's SIREN."),
    "date_birth_not_before_hiring": _l("The date of birth must be before the hiring date."),
    "date_too_young": _l("The employee would be under 14 on the hiring date."),
    "date_entry_before_hiring": _l("The date of entry in the post cannot be before hiring."),
    "date_end_before_hiring": _l("The end-of-contract date cannot be before hiring."),
    "date_in_future_birth": _l("The date of birth cannot be in the future."),
    "foreign_establishment": _l("Choose one of your establishments."),
    "foreign_work_post": _l("Choose one of your work posts."),
    "risk_not_declarable": _l(
        "One of the ticked risks can no longer be declared (withdrawn item): untick it."
    ),
    "unknown_pcs_code": _l("This PCS code does not exist: type keywords to get suggestions."),
    "designation_empty": _l("Enter the designation of the work post."),
    "designation_abbreviation": _l("Write the designation without abbreviations."),
    "designation_too_many_posts": _l("One precise work post (two at most, separated by /)."),
    "designation_bad_characters": _l("The designation may contain letters, spaces, - ' / only."),
    "too_many_posts_in_description": _l(
        "A temporary-work agency gives 3 posts at most in the description, separated by /."
    ),
    "work_post_exists": _l("This work post is already declared: choose it in the list."),
    # visits
    "visit_foreign_employee": _l("This employee is not one of yours."),
    "visit_employee_exited": _l(
        "This employee has left your workforce: no visit can be requested for them."
    ),
    "visit_unknown_exam_type": _l("Choose the medical examination."),
    "visit_user_company_required": _l(
        "Temporary-work agencies must give the name of the user company in the description, "
        "so that the health team knows where the employee works."
    ),
    "contact_type_unknown": _l("Choose the type of request."),
    "contact_type_visit": _l(
        "A medical visit is requested from the employee's record: choose the employee, then "
        '"Request a visit".'
    ),
    "contact_subject_required": _l("Give the subject of your message."),
    "contact_subject_too_long": _l("The subject has at most 150 characters."),
    "contact_body_required": _l("Write your message."),
    "contact_body_too_long": _l("The message has at most 5,000 characters."),
    "contact_invoice_unknown": _l("Choose one of your invoices."),
    "contact_assignee_unknown": _l("Choose one of the service's active accounts."),
    "attachment_too_large": _l("The attached file is too large (5 MB at most)."),
    "attachment_not_pdf": _l("The attached file must be a PDF document."),
    "attachment_empty": _l("The attached file is empty (0 bytes): choose the PDF document again."),
    "attachment_truncated": _l(
        "The attached PDF is incomplete (its end is missing, the copy or the download was cut "
        "short): save it again as PDF and attach it again."
    ),
    "attachment_unreadable": _l(
        "The attached file is not a valid PDF document (damaged, or another kind of file "
        "renamed): save it again as PDF and attach it again."
    ),
    "attachment_encrypted": _l(
        "The attached PDF is protected by a password: attach a copy without protection."
    ),
    "visit_duplicate": _l(
        "A request for this medical examination is already in progress for this employee: a "
        "second one is not needed."
    ),
    "visit_bad_transition": _l("This request cannot go to that state any more."),
    "visit_cannot_cancel": _l("A request can only be cancelled before it is scheduled."),
    "visit_schedule_in_past": _l("The appointment must be in the future."),
    "visit_unknown_centre": _l("Choose a centre."),
    "visit_unknown_professional": _l("Choose a health professional."),
    "visit_professional_not_allowed": _l(
        "This professional may not perform this examination: choose one of the professions "
        "the exam type allows."
    ),
    "visit_employee_left": _l(
        "The employee is no longer in the workforce on that day (end of contract): choose an "
        "earlier date, or tick the box to convene them all the same."
    ),
    "visit_conclusion_required": _l("Give the conclusion of the visit."),
    "visit_outcome_in_future": _l("The outcome can only be recorded once the appointment is past."),
    # Documents and the DUERP (issue 10)
    "document_too_large": _l("The file is too large: %(mb)d MB at most."),
    "document_class_not_allowed": _l("Choose a document class from the list."),
    "document_subclass_mismatch": _l("Choose a sub-class of the chosen document class."),
    "document_description_missing": _l("Give a description of the document."),
    "document_description_too_long": _l("The description is limited to 500 characters."),
    "document_number_too_long": _l("The document number is limited to 50 characters."),
    "document_foreign_employee": _l("This employee does not belong to this member."),
    "document_no_recipient": _l("Choose at least one member to send the document to."),
    "document_unknown_members": _l(
        "Unknown member numbers, nothing was sent: %(numbers)s. Correct or remove them."
    ),
    "document_employee_one_member": _l(
        "A document about an employee is sent to that employee's member only."
    ),
    "document_not_received": _l("Only a document received from a member can be acknowledged."),
    "document_cannot_withdraw": _l(
        "This document can no longer be withdrawn: the service has acknowledged it, or it is a "
        "DUERP version, which is kept."
    ),
    "duerp_date_missing": _l("Give the date of the last update of your DUERP."),
    "duerp_date_future": _l("The date of the last update cannot be in the future."),
    "duerp_action_plan_missing": _l("Say whether your DUERP contains a prevention action plan."),
    # Declaration, campaigns and invoices (issue 11)
    "campaign_not_open": _l("The declaration campaign of this year is not open yet."),
    "declaration_changed": _l(
        "Your list of employees changed since this page was shown: check the figures below and "
        "confirm again."
    ),
    "reopen_reason_required": _l("Give the reason for reopening the declaration."),
    "reopen_reason_too_long": _l("The reason is limited to %(max)d characters."),
    "declaration_already_reopened": _l("This declaration has already been reopened."),
    "campaign_year": _l("Enter a year between 2000 and 2100."),
    "campaign_dates": _l("The closing date must be after the opening date."),
    "campaign_exists": _l("The campaign %(year)d already exists: edit it instead."),
    "base_fee_out_of_bounds": _l(
        "The base fee must lie between %(low)s and %(high)s (80 %% to 120 %% of the national "
        "average cost of %(average)s)."
    ),
    "campaign_tariff_locked": _l(
        "Declarations of this year are already confirmed and invoiced with this tariff: only the "
        "closing date can still change."
    ),
    "invoice_no_line": _l("An invoice has at least one line."),
    "invoice_line_label": _l("Each line needs a label of at most 200 characters."),
    "invoice_line_amount": _l(
        "Each line needs a quantity above zero and a unit price of zero or more."
    ),
    "invoice_note_too_long": _l("The comment is limited to %(max)d characters."),
    "credit_reason_required": _l("Give the reason for the credit note."),
    "credit_of_credit_note": _l("A credit note cannot itself be credited."),
    "invoice_already_credited": _l("This invoice has already been cancelled by a credit note."),
    "payment_not_payable": _l("A credit note or a cancelled invoice takes no payment."),
    "payment_amount": _l("Give an amount above zero."),
    "payment_in_future": _l("The payment date cannot be in the future."),
    "payment_reference_too_long": _l("The reference is limited to %(max)d characters."),
    "payment_above_balance": _l(
        "The amount is above what is left to pay on this invoice (%(balance)s)."
    ),
    "import_empty_file": _l("The file is empty."),
    "import_too_big": _l("The file is too large: %(megabytes)d MB at most."),
    "import_not_ready": _l("This import is not waiting to be applied (already under way or done)."),
    "import_nothing_to_apply": _l("No row of this file creates or updates an employee."),
}


def text_of(error) -> str:
    """The message of a ServiceError with its parameters, amounts written as the portal shows
    them (1 234,50 €)."""
    params = {
        key: money(value) if isinstance(value, Decimal) else value
        for key, value in error.params.items()
    }
    text = str(MESSAGES[error.code])
    return text % params if params else text
