"""Back-office: the health teams' queue of visit requests (those without a team first, then
oldest first), the requests of members without a team on their own list, acknowledging,
scheduling (the convocation), recording the visit done or the absence, and every visit."""

from functools import partial

from flask import abort, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import case, select

from app import clock
from app.domain.visit_workflow import OPEN, RequestStatus
from app.extensions import db
from app.models.centre import Centre
from app.models.visit import Conclusion, Visit, VisitEvent, VisitRequest
from app.services import ServiceError, mail, visit_notices, visits
from app.views import downloads, letters
from app.views.backoffice.member_filter import MEMBER_SEARCH
from app.views.common import (
    READ_ONLY_ROUTES,
    BaseModelView,
    EagerInterface,
    FilterIsNull,
    enum_field,
)
from app.views.labels import ENUM_LABELS, FORMATTERS
from app.views.messages import MESSAGES
from app.views.portal.visit_forms import OutcomeForm, ScheduleForm


class BackofficeVisitEventView(BaseModelView):
    datamodel = EagerInterface(VisitEvent, "actor")
    class_permission_name = "BackofficeVisitEvents"
    list_title = _l("History")
    base_permissions = ["can_list"]
    exclude_route_methods = READ_ONLY_ROUTES | {"show"}
    list_columns = ["at", "actor", "from_status", "to_status", "note"]
    base_order = ("at", "asc")


def _team_or_none(team):
    return (
        team
        if team is not None
        else Markup('<span class="label label-warning">{}</span>').format(_("No health team"))
    )


QUEUE_PLACE = "visit_queue_place"  # session key: the queue's last URL, with its filters


def _open_statuses():
    return sorted(OPEN, key=lambda status: status.name)


class QueueInterface(EagerInterface):
    """The default order (oldest first) puts the requests without a team before the others:
    nobody else will handle them (issue 9, "Requests of a member without a health team")."""

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column == "requested_at" and order_direction == "asc":
            query = query.order_by(case((VisitRequest.health_team_id.is_(None), 0), else_=1))
        return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)


class BackofficeVisitRequestView(BaseModelView):
    datamodel = QueueInterface(VisitRequest, "member", "employee", "health_team", "centre")
    class_permission_name = "BackofficeVisitRequests"
    list_title = _l("Visit requests to handle")
    show_title = _l("Visit request")
    show_template = "backoffice/visit_request_show.html"
    base_permissions = ["can_list", "can_show", "can_edit", "can_download", "acknowledge"]
    exclude_route_methods = {"download", "add", "edit", "delete"}
    base_filters = [["status", FilterInFunction, _open_statuses]]
    related_views = [BackofficeVisitEventView]
    list_columns = [
        "requested_at", "member", "employee", "exam_type", "health_team", "status",
        "scheduled_at", "centre",
    ]  # fmt: skip
    search_columns = ["status", "health_team", "centre", "requested_at", "scheduled_at", "member"]
    search_form_query_rel_fields = MEMBER_SEARCH  # the member's page links here filtered
    order_columns = ["requested_at", "scheduled_at", "status"]
    base_order = ("requested_at", "asc")
    show_columns = [
        "requested_at", "member", "employee", "exam_type", "motive", "description",
        "attachment_name", "health_team", "status", "scheduled_at", "centre", "professional",
    ]  # fmt: skip
    search_form_extra_fields = {"status": enum_field(RequestStatus, "status")}
    formatters_columns = {**FORMATTERS, "health_team": _team_or_none}

    def _request(self, pk: int) -> VisitRequest:
        found = db.session.get(VisitRequest, pk)
        if found is None:
            abort(404)
        return found

    @expose("/list/")
    @has_access
    def list(self):
        """FAB's list, remembered (its filters, sort and page) so that the actions taken from
        it or from a request opened from it bring the user back there (issue 9, "lost place")."""
        session[QUEUE_PLACE] = request.full_path
        return super().list()

    def _queue(self) -> str:
        """The queue as the user last saw it (set by `list` from our own route only)."""
        return session.get(QUEUE_PLACE) or url_for(".list")

    @action("acknowledge", _l("Acknowledge"), "", "fa-check")
    def acknowledge(self, items):
        """From the list (several rows, back to the list) or from a request's page (one row,
        back to that page, where the team goes on scheduling)."""
        several = isinstance(items, list)
        done = 0
        for item in items if several else [items]:
            try:
                visits.acknowledge(item, g.user)
                done += 1
            except ServiceError as error:
                flash(MESSAGES[error.code], "warning")
        db.session.commit()
        if done:
            flash(
                ngettext(
                    "%(num)d request is acknowledged: the member sees it «Acknowledged».",
                    "%(num)d requests are acknowledged: the member sees them «Acknowledged».",
                    done,
                ),
                "success",
            )
        return redirect(self._queue() if several else url_for(".show", pk=items.id))

    @expose("/schedule/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def schedule(self, pk):
        visit_request = self._request(pk)
        form = ScheduleForm()
        form.centre_id.choices = [
            (c.id, c.name) for c in db.session.scalars(select(Centre).order_by(Centre.name))
        ]
        form.professional_id.choices = [
            (p.id, f"{p} ({ENUM_LABELS[p.role]}, {p.team})")
            for p in visits.professionals_for(visit_request)
        ]
        if not form.is_submitted() and visit_request.health_team:
            form.centre_id.data = visit_request.health_team.centre_id
        if form.validate_on_submit():
            done = self._run(_schedule, visit_request, form, g.user)
            if done:
                flash(
                    _("The appointment is scheduled: the member sees the convocation."), "success"
                )
                return redirect(url_for(".show", pk=pk))
        return self.render_template(
            "backoffice/visit_schedule.html", form=form, visit_request=visit_request
        )

    @expose("/outcome/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def outcome(self, pk):
        visit_request = self._request(pk)
        form = OutcomeForm()
        form.conclusion.choices = [("", "-")] + [(c.name, ENUM_LABELS[c]) for c in Conclusion]
        if form.validate_on_submit():
            seen = form.outcome.data == "seen"
            conclusion = Conclusion[form.conclusion.data] if form.conclusion.data else None
            done = self._run(
                _record_outcome,
                visit_request,
                g.user,
                seen=seen,
                conclusion=conclusion,
                recommendations=form.recommendations.data,
                next_due_on=form.next_due_on.data,
            )
            if done:
                flash(_("The outcome is recorded."), "success")
                return redirect(self._queue())  # the request has left the open queue
        return self.render_template(
            "backoffice/visit_outcome.html", form=form, visit_request=visit_request
        )

    def _run(self, call, *args, **kwargs) -> bool:
        """`call` returns the outbox ids of the member's notices, sent once committed."""
        try:
            mails = call(*args, **kwargs)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
            return False
        mail.deliver_later(mails)
        return True

    @expose("/attachment/<int:pk>")
    @has_access
    @permission_name("download")
    def attachment(self, pk):
        visit_request = self._request(pk)
        if visit_request.attachment_content_id is None:
            abort(404)
        return downloads.stored_file(
            visit_request.attachment_content_id,
            visit_request.attachment_size,
            visits.served_name(visit_request),
        )


def _schedule(visit_request: VisitRequest, form: ScheduleForm, actor) -> list[int]:
    """The appointment, then the member's notice with the convocation (a new one when the
    appointment moves)."""
    rescheduled = visit_request.status is RequestStatus.SCHEDULED
    visits.schedule(
        visit_request,
        form.scheduled_at.data,
        form.centre_id.data,
        form.professional_id.data,
        actor,
        after_exit=form.after_exit.data,
    )
    convocation = partial(letters.convocation_for, issued_on=clock.today())
    return visit_notices.scheduled(visit_request, convocation, rescheduled)


def _record_outcome(visit_request: VisitRequest, actor, **outcome) -> list[int]:
    visit = visits.record_outcome(visit_request, actor, **outcome)
    return visit_notices.outcome(visit_request, visit)


class BackofficeUnassignedVisitRequestView(BackofficeVisitRequestView):
    """The open requests of members without a health team: the service assigns the member a
    team (Members), then schedules from here."""

    list_title = _l("Visit requests without a health team")
    base_filters = [
        ["status", FilterInFunction, _open_statuses],
        ["health_team_id", FilterIsNull, None],
    ]


class BackofficeVisitView(BaseModelView):
    datamodel = EagerInterface(Visit, "employee")
    class_permission_name = "BackofficeVisits"
    list_title = show_title = _l("Visits done and absences")
    base_permissions = ["can_list", "can_show"]
    exclude_route_methods = READ_ONLY_ROUTES
    list_columns = ["visit_on", "employee", "exam_type", "outcome", "conclusion", "next_due_on"]
    search_columns = ["visit_on", "outcome", "conclusion", "exam_type"]
    base_order = ("visit_on", "desc")
    show_columns = [*list_columns, "recommendations", "professional", "recorded_at"]
