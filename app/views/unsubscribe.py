"""Stopping one notice from the link of its mail, without logging in (issue 12): the link's
signed token names one user and one notice. GET shows a button (mail scanners open links), POST
turns the notice off; the user turns it on again in their profile."""

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _

from app.extensions import db
from app.security.tenancy import system_scope
from app.services import notifications


class UnsubscribeView(BaseView):
    route_base = "/notifications"
    default_view = "confirm"

    @expose("/unsubscribe/<string:token>", methods=["GET", "POST"])
    def confirm(self, token):
        with system_scope():
            found = notifications.read_unsubscribe_token(token)
            if found is None:
                return self.render_template("notifications/unsubscribe.html", invalid=True), 404
            user, notice = found
            if request.method == "POST":
                notifications.set_choice(user, notice, False)
                db.session.commit()
                flash(_("You will no longer receive this notice."), "success")
                return redirect(url_for(".confirm", token=token))
            label = notifications.LABELS[notice]
            wanted = notifications.choices_of(user).get(notice, False)
        return self.render_template(
            "notifications/unsubscribe.html", label=label, wanted=wanted, email=user.email
        )
