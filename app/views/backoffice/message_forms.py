"""The back-office's forms on a member's message (issue 12): the answer (text and the status it
leaves), the assignee (me, a staff member, nobody) and the status."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.models.contact import MessageStatus
from app.services.contact import MAX_BODY
from app.views.validators import REQUIRED_MESSAGE

STATUS_LABELS = {
    MessageStatus.NEW: _l("New"),
    MessageStatus.IN_PROGRESS: _l("In progress"),
    MessageStatus.DONE: _l("Dealt with"),  # "traité", as the portal says
}
NOBODY = "nobody"


class AnswerForm(FlaskForm):
    body = TextAreaField(
        _l("Answer"),
        [InputRequired(REQUIRED_MESSAGE), Length(max=MAX_BODY)],
        render_kw={"rows": 6, "maxlength": MAX_BODY},
    )
    status_after = SelectField(
        _l("Status after the answer"),
        choices=[
            (MessageStatus.IN_PROGRESS.value, STATUS_LABELS[MessageStatus.IN_PROGRESS]),
            (MessageStatus.DONE.value, STATUS_LABELS[MessageStatus.DONE]),
        ],
        default=MessageStatus.DONE.value,
    )


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assigned to"), [InputRequired(REQUIRED_MESSAGE)])

    def with_staff(self, staff, user_id: int) -> "AssignForm":
        """Choices: me first, then the other active accounts of the service, then nobody."""
        others = [(str(user.id), str(user)) for user in staff if user.id != user_id]
        self.assignee.choices = [(str(user_id), _l("Me")), *others, (NOBODY, _l("Nobody"))]
        return self


class StatusForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        [InputRequired(REQUIRED_MESSAGE)],
        choices=[(status.value, label) for status, label in STATUS_LABELS.items()],
    )
