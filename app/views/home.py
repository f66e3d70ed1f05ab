"""The home page: the portal home for a member's users, the back-office home for staff."""

from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose

from app import clock
from app.extensions import db
from app.permissions import PORTAL_RIGHTS
from app.services import reports
from app.views.charts import home_charts
from app.views.sections import portal_sections

REPORTS = "PortalReports"


class HomeView(IndexView):
    def _charts(self, member_id: int) -> list:
        """The workforce and due-visits charts, for the users who may read the reports."""
        if not self.appbuilder.sm.has_access("can_list", REPORTS):
            return []
        return home_charts(reports.home_figures(db.session, member_id, clock.today()))

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
            charts=self._charts(user.member_id),
        )
