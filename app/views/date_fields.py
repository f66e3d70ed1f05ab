"""Date fields of every form, ours and Flask-AppBuilder's (issue 9, "Forms"): a date typed and shown
`jj/mm/aaaa` whatever the browser's language (app.domain.dates), with bootstrap-datepicker in
French around it (app/static/js/dates.js), and an appointment's date and time `HH:MM`."""

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Field
from wtforms.validators import InputRequired, Optional, StopValidation
from wtforms.widgets import html_params

from app.domain.dates import format_date, format_time, parse_date, parse_time
from app.domain.inputs import is_plausible
from app.views.validators import DATE_BOUNDS_MESSAGE, REQUIRED_MESSAGE, plausible_date

DATE_FORMAT_MESSAGE = _l("Enter a date as dd/mm/yyyy, for example 29/11/2026.")
APPOINTMENT_MESSAGE = _l("Enter the date (dd/mm/yyyy) and the time (HH:MM) of the appointment.")
# Typed text is present (a date that does not parse keeps its own message, where DataRequired
# would replace it by "required").
DATE_REQUIRED = InputRequired(message=REQUIRED_MESSAGE)


def _classes(kwargs: dict) -> str:
    given = f"{kwargs.pop('class_', '')} {kwargs.pop('class', '')}".split()
    return " ".join(dict.fromkeys(["form-control", *given]))


class FrenchDateWidget:
    """A text input `jj/mm/aaaa` with a calendar button; app/static/js/dates.js opens
    bootstrap-datepicker in French on it. Not `type=date`, whose format follows the browser's
    language."""

    def __call__(self, field, **kwargs):
        kwargs.pop("list", None)
        attributes = {
            "type": "text",
            "id": field.id,
            "name": field.name,
            "value": field._value(),
            "placeholder": _("dd/mm/yyyy"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "class": _classes(kwargs),
            **kwargs,
        }
        return Markup(
            '<div class="input-group date french-date"><input {}>'
            '<span class="input-group-addon" title="{}"><i class="fa fa-calendar" '
            'aria-hidden="true"></i></span></div>'
        ).format(Markup(html_params(**attributes)), _("Open the calendar"))


class FrenchDateField(Field):
    """A date typed `29/11/2026` (or ISO `2026-11-29`, as posted by older pages), shown
    `29/11/2026` (app.domain.dates)."""

    widget = FrenchDateWidget()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data) if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_date(text) if text else None
        if text and self.data is None:
            raise ValueError(DATE_FORMAT_MESSAGE)


def french_date_field(label, required: bool = False, **kwargs) -> FrenchDateField:
    presence = DATE_REQUIRED if required else Optional()
    return FrenchDateField(label, [presence, plausible_date], **kwargs)


class AppointmentWidget:
    """Two inputs of one field, both named after it: the day (`jj/mm/aaaa`, with the calendar)
    and the time (`HH:MM`), each with its label."""

    def __call__(self, field, **kwargs):
        kwargs.pop("class_", None)
        day, moment = field.parts()
        time_input = html_params(
            type="text",
            id=f"{field.id}-time",
            name=field.name,
            value=moment,
            placeholder=_("HH:MM"),
            inputmode="numeric",
            autocomplete="off",
            maxlength=5,
            **{"class": "form-control appointment-time"},
        )
        return Markup(
            '<div class="row appointment"><div class="col-xs-7">{}</div><div class="col-xs-5">'
            '<label class="sr-only" for="{}-time">{}</label><input {}></div></div>'
        ).format(
            FrenchDateWidget()(field, value=day, **kwargs),
            field.id,
            _("Time (HH:MM)"),
            Markup(time_input),
        )


class AppointmentField(Field):
    """A date and a time (`29/11/2026` and `14:30`), whose format does not depend on the
    browser's language; a single ISO `2026-11-29T14:30` (the former datetime-local input) is read
    too."""

    widget = AppointmentWidget()

    def parts(self) -> tuple[str, str]:
        if self.raw_data:
            values = [*self.raw_data, "", ""]
            return values[0], values[1]
        if isinstance(self.data, datetime):
            return format_date(self.data.date()), format_time(self.data.time())
        return "", ""

    def _value(self) -> str:
        return self.parts()[0]

    def process_formdata(self, valuelist):
        text = " ".join(value.strip() for value in valuelist if value.strip())
        self.data = None
        if not text:
            return
        day_text, _sep, time_text = text.replace("T", " ").partition(" ")
        day, moment = parse_date(day_text), parse_time(time_text)
        if day is None or moment is None:
            raise ValueError(APPOINTMENT_MESSAGE)
        self.data = datetime.combine(day, moment)

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise StopValidation(APPOINTMENT_MESSAGE)
        if self.data is not None and not is_plausible(self.data.date()):
            raise StopValidation(DATE_BOUNDS_MESSAGE)
