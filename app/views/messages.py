"""Messages for the services' error codes (app.services.ServiceError.code)."""

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "last_establishment": _l("A member keeps at least one establishment."),
    "member_resigned": _l("This member has resigned: no portal access can be issued."),
    "already_activated": _l("This member's portal is already activated."),
    "bad_provisional": _l(
        "These provisional credentials are not valid. Check the letter you received, or "
        "contact the service if your portal is already activated."
    ),
    "identifier_is_member_number": _l("Choose an identifier different from your member number."),
    "identifier_taken": _l("This identifier is already used: choose another one."),
    "email_taken": _l("This e-mail address is already used by another account."),
    "password_too_short": _l("The password must have at least 12 characters."),
    "password_too_long": _l("The password must have at most 128 characters."),
    "password_guessable": _l(
        "This password is too easy to guess (common word, name, sequence or your own data): "
        "choose a longer or less predictable one, for example a sentence."
    ),
    "wrong_current_password": _l(
        "Your current password is required to change your identifier or your password, and the "
        "one given is not right."
    ),
    "bad_token": _l("This link is no longer valid: it has expired or has already been used."),
    "last_admin": _l(
        "The company must keep at least one active administrator: give this right to another "
        "user first."
    ),
    "unknown_right": _l("This right does not exist."),
}
