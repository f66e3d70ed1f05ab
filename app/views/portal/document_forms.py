"""The form "Ajouter des documents de l'adhérent" (manual, chapter 10 and "Déposer votre DUERP").
The member is never a field: the document goes to the user's own member. The class and the
sub-class are checked by the documents service (allowed in this direction, sub-class of the
class), not by WTForms' "Not a valid choice"."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.domain.inputs import parse_id
from app.services.documents import MAX_DESCRIPTION, MAX_NUMBER
from app.views.portal.account_forms import REQUIRED


def _id(value) -> int:
    """A choice's id, 0 for anything else (never WTForms' English "could not coerce")."""
    return value if isinstance(value, int) else parse_id(str(value)) or 0


class DocumentForm(FlaskForm):
    file = FileField(_l("File name"))
    number = StringField(_l("Document number"), [Optional(), Length(max=MAX_NUMBER)])
    description = TextAreaField(_l("Description"), [REQUIRED, Length(max=MAX_DESCRIPTION)])
    class_id = SelectField(_l("Document class"), coerce=_id, validate_choice=False)
    subclass_id = SelectField(_l("Document sub-class"), coerce=_id, validate_choice=False)
