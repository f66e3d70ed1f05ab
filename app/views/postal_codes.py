"""GET /postal-codes/?code=80000: the communes of a postal code (La Poste's list), for the
script that fills the town of every address form (app/static/js/postal_codes.js). Any logged-in
user: the list is public reference data, the login keeps robots away."""

from flask import jsonify, request
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _
from flask_login import login_required

from app.domain.contact_details import check_postal_code
from app.services import postal_codes


class PostalCodeView(BaseView):
    route_base = "/postal-codes"
    default_view = "communes"

    @expose("/")
    @login_required
    def communes(self):
        """200 with the communes; 400 for anything but five digits (bounded before any query);
        404 for a code La Poste does not know."""
        code, error = check_postal_code(request.args.get("code", "")[:10])
        if error is not None:
            return jsonify(error=_("A French postal code has 5 digits, for example 80000.")), 400
        found = postal_codes.communes(code)
        if not found:
            message = _(
                "The postal code %(code)s is not in La Poste's list of postal codes.", code=code
            )
            return jsonify(postal_code=code, communes=[], error=message), 404
        hint = (
            _("Choose the town among: %(towns)s", towns=", ".join(found)) if len(found) > 1 else ""
        )
        return jsonify(postal_code=code, communes=found, hint=hint)
