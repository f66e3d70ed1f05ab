"""The home page: the portal home for a member's users (its to-do list, sections and charts), the
staff's work queue for the service (issue 9, "Staff have no work queue", "The member's home says
what to do")."""

from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose

from app import clock
from app.extensions import db
from app.permissions import ADMIN_OUTBOX, PORTAL_RIGHTS
from app.services import dashboard, reports
from app.views.charts import home_charts
from app.views.portal.duerp import ask_now
from app.views.sections import member_todo_items, portal_sections

REPORTS = "PortalReports"
QUEUE = "BackofficeVisitRequests"


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
            return self._backoffice()
        if ask_now(self.appbuilder.sm, user):  # once per login, before the home page
            return redirect(url_for("PortalDuerpView.ask"))
        return self.render_template(
            "portal/home.html",
            appbuilder=self.appbuilder,
            member=user.member,
            todo=member_todo_items(self.appbuilder.sm, user.member_id),
            sections=portal_sections(self.appbuilder.sm),
            rights=PORTAL_RIGHTS,
            charts=self._charts(user.member_id),
        )

    def _backoffice(self):
        """The work queue, for the service's users who handle the requests (not for an account
        of the service without a role yet)."""
        now = clock.now()
        queue = self.appbuilder.sm.has_access("can_list", QUEUE)
        return self.render_template(
            "backoffice/home.html",
            appbuilder=self.appbuilder,
            figures=dashboard.staff_figures(db.session, now) if queue else None,
            outbox=self.appbuilder.sm.has_access("can_list", ADMIN_OUTBOX),  # administrators only
            now=now.strftime("%Y-%m-%dT%H:%M"),  # ISO, for the list's "before" filter
            statuses=dashboard.QUEUE_STATUSES,
            age=lambda moment: dashboard.age_in_days(moment, now.date()),
        )
