"""The home page: the portal home for a member's users, the back-office home for staff."""

from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose

from app.permissions import PORTAL_RIGHTS
from app.views.sections import portal_sections


class HomeView(IndexView):
    @expose("/")
    def index(self):
        user = g.user
        if user is None or not user.is_authenticated:
            return redirect(url_for("LoginView.login"))
        self.update_redirect()
        if user.member_id is None:
            return self.render_template("backoffice/home.html", appbuilder=self.appbuilder)
        return self.render_template(
            "portal/home.html",
            appbuilder=self.appbuilder,
            member=user.member,
            sections=portal_sections(self.appbuilder.sm),
            rights=PORTAL_RIGHTS,
        )
