"""Error pages in the portal's layout, the tenancy guard's refusal turned into a 404, bad request
arguments into a 400 that says what was wrong, and a concurrent write that lost its race (a stale
version, a unique constraint) into a 409 rather than a 500 (issue 8, item 9)."""

from flask import current_app, g, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.security.tenancy import TenantViolationError
from app.views.params import BadArgument

MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist or is not available to you."),
    405: _l("This action is not allowed here."),
    409: _l(
        "Someone else changed or created the same data at the same time: nothing was saved. "
        "Reload the page and try again."
    ),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a few minutes before trying again."),
    500: _l("An unexpected error occurred. The service has been notified."),
}


def _page(code: int, message=None):
    # CSRF is checked before FAB's before_request sets g.user, which the layout reads.
    g.setdefault("user", current_user)
    appbuilder = current_app.appbuilder
    page = render_template(
        "error.html",
        code=code,
        message=message or MESSAGES[code],
        title=_l("Error %(code)s", code=code),
        appbuilder=appbuilder,
        base_template=appbuilder.base_template,
    )
    return page, code


def init_app(app) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda error, code=code: _page(code))

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return _page(400, _l("The form has expired. Please reload the page and try again."))

    @app.errorhandler(BadArgument)
    def _bad_argument(error):
        return _page(400, error.message)

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def _conflict(_error):
        """Last resort: the services turn the races they expect into their own messages."""
        db.session.rollback()
        return _page(409)

    @app.errorhandler(TenantViolationError)
    def _tenant_violation(_error):
        db.session.rollback()
        return _page(404)
