"""Forms of the account screens (French labels through Babel, required fields marked *)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.views.validators import email_field, phone_field

REQUIRED = DataRequired(message=_l("This field is required."))
SAME = EqualTo("password", message=_l("The two passwords differ."))


class ProvisionalForm(FlaskForm):
    identifier = StringField(_l("Provisional identifier"), [REQUIRED, Length(max=20)])
    password = PasswordField(_l("Provisional password"), [REQUIRED, Length(max=128)])


class PersonForm(FlaskForm):
    last_name = StringField(_l("Usage name"), [REQUIRED, Length(max=64)])
    first_name = StringField(_l("First name"), [REQUIRED, Length(max=64)])
    # The same checks as every form of the portal and the back-office (app.views.validators).
    email = email_field(_l("E-mail"), required=True)
    phone = phone_field(_l("Phone"), required=True)


class AdministratorForm(PersonForm):
    username = StringField(_l("Identifier"), [REQUIRED, Length(min=3, max=64)])
    password = PasswordField(_l("Password"), [REQUIRED, Length(max=128)])
    confirm = PasswordField(_l("Repeat the password"), [REQUIRED, SAME])


class CollaboratorForm(PersonForm):
    username = StringField(_l("Identifier"), [REQUIRED, Length(min=3, max=64)])


class ProfileForm(PersonForm):
    username = StringField(_l("New identifier"), [REQUIRED, Length(min=3, max=64)])
    current_password = PasswordField(_l("Current password"), [Optional(), Length(max=128)])
    password = PasswordField(_l("New password"), [Optional(), Length(max=128)])
    confirm = PasswordField(_l("Repeat the new password"), [SAME])
    is_portal_contact = BooleanField(_l("I am the contact person for my company"))


class ForgotPasswordForm(FlaskForm):
    number = StringField(_l("Member number or invoice number"), [REQUIRED, Length(max=30)])
    email = EmailField(_l("E-mail of the portal contact"), [REQUIRED, Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), [REQUIRED, Length(max=128)])
    confirm = PasswordField(_l("Repeat the new password"), [REQUIRED, SAME])
