"""Forms of the visit screens (manual, "Demande de visite médicale"; the health team's side)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from app.views.date_fields import AppointmentField, french_date_field
from app.views.portal.account_forms import REQUIRED


class VisitRequestForm(FlaskForm):
    exam_type_id = SelectField(_l("Medical examination"), [REQUIRED], coerce=int)
    attachment = FileField(_l("File name"))
    description = TextAreaField(_l("Description"), [Optional(), Length(max=2000)])


class ScheduleForm(FlaskForm):
    # A date `jj/mm/aaaa` and a time `HH:MM`: a datetime-local input showed mm/dd/yyyy and AM/PM
    # in an English browser.
    scheduled_at = AppointmentField(_l("Date (dd/mm/yyyy) and time (HH:MM)"))
    centre_id = SelectField(_l("Centre"), [REQUIRED], coerce=int)
    # The offered professionals are those who may perform the exam; any other id is refused by
    # the service with its own message (visits.schedule), not WTForms' "Not a valid choice".
    professional_id = SelectField(
        _l("Health professional"), [REQUIRED], coerce=int, validate_choice=False
    )
    after_exit = BooleanField(
        _l(
            "Convene the employee even though they are no longer in the workforce on that day "
            "(recorded in the audit log)"
        )
    )


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        _l("Outcome"), choices=[("seen", _l("Seen")), ("absent", _l("Absent"))], default="seen"
    )
    # Checked against its choices ("" for none): `Optional` would let " " through unchecked.
    conclusion = SelectField(_l("Conclusion"))
    recommendations = TextAreaField(_l("Recommendations"), [Optional(), Length(max=2000)])
    next_due_on = french_date_field(_l("Next visit due (set by the professional)"))
