"""The back-office's form to send a document to members or to one employee (issue 10)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

# Class, sub-class, description and number are checked by the service (app.services.documents),
# whose messages name the problem; the form only carries them.


class DocumentSendForm(FlaskForm):
    file = FileField(_l("PDF file"))
    class_id = SelectField(_l("Document class"), coerce=int, validate_choice=False)
    subclass_id = SelectField(_l("Document sub-class"), coerce=int, validate_choice=False)
    number = StringField(_l("Document number"), [Optional(), Length(max=50)])
    description = TextAreaField(_l("Description"), [Optional(), Length(max=500)])
    recipients = TextAreaField(
        _l("Member numbers (one per line, or separated by commas or spaces)"),
        [Optional(), Length(max=200_000)],
    )
    all_active = BooleanField(_l("Every active member"))
