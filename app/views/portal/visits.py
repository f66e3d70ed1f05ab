"""Portal: medical visit requests (manual, "Demande de visite médicale"): the request for an
employee, the list of the member's requests with their status, cancellation before scheduling,
and the convocation as a PDF. Resource PortalVisitRequests."""

from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.domain.visit_workflow import RequestStatus, member_may_cancel
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import VisitRequest
from app.services import ServiceError, mail, visits
from app.services.employee_list import PAGE_SIZES, parse_page, parse_size
from app.views import letters, params
from app.views.common import current_member_id, owned
from app.views.messages import MESSAGES
from app.views.params import pager
from app.views.portal.visit_forms import VisitRequestForm

RESOURCE = "PortalVisitRequests"


@dataclass
class ListParams:
    """The list of requests: a status, a page and its size (bad values ignored)."""

    status: str = ""
    page: int = 1
    size: int = 25

    @classmethod
    def from_args(cls, args) -> "ListParams":
        status = args.get("status", "")
        return cls(
            status=status if status in RequestStatus.__members__ else "",
            page=parse_page(args.get("page")),
            size=parse_size(args.get("size")),
        )

    def args(self) -> dict:
        """The query string that shows this page again (after a cancellation)."""
        return {"status": self.status or None, "page": self.page, "size": self.size}


def requests_page(member_id: int, params: ListParams) -> tuple[list, int]:
    """The member's requests, newest first: a count and one select that loads the employee, the
    exam type and the centre with them, whatever the number of rows."""
    scope = [VisitRequest.member_id == member_id]
    if params.status:
        scope.append(VisitRequest.status == RequestStatus[params.status])
    total = db.session.scalar(select(func.count(VisitRequest.id)).where(*scope))
    params.page = min(params.page, max((total + params.size - 1) // params.size, 1))
    rows = db.session.scalars(
        select(VisitRequest)
        .where(*scope)
        .options(joinedload(VisitRequest.employee), joinedload(VisitRequest.centre))
        .order_by(VisitRequest.requested_at.desc(), VisitRequest.id.desc())
        .limit(params.size)
        .offset((params.page - 1) * params.size)
    ).all()
    return rows, total


class PortalVisitRequestsView(BaseView):
    route_base = "/visit-requests"
    default_view = "list"
    class_permission_name = RESOURCE
    base_permissions = ["can_list", "can_add", "can_edit", "can_download"]

    @expose("/")
    @has_access
    def list(self):
        params = ListParams.from_args(request.args)
        rows, total = requests_page(current_member_id(), params)
        return self.render_template(
            "visits/list.html",
            rows=rows,
            statuses=list(RequestStatus),
            status=params.status,
            params=params,
            **pager(params.page, params.size, total),
            page_sizes=PAGE_SIZES,
            may_cancel=member_may_cancel,
        )

    @expose("/new", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def new(self):
        if not request.args.get("employee_id"):
            flash(_("Choose the employee in the list, then «Request a visit»."), "info")
            return redirect(url_for("PortalEmployeesView.list"))
        employee = owned(Employee, params.id_arg("employee_id"))
        form = VisitRequestForm()
        form.exam_type_id.choices = [(0, _("-Choose-"))] + [
            (e.id, e.label) for e in db.session.scalars(select(ExamType).order_by(ExamType.id))
        ]
        if form.validate_on_submit() and self._submit(employee, form):
            return redirect(url_for("PortalEmployeesView.show", employee_id=employee.id))
        member = db.session.get(Member, current_member_id())
        return self.render_template("visits/new.html", form=form, employee=employee, member=member)

    def _submit(self, employee: Employee, form: VisitRequestForm) -> bool:
        upload = form.attachment.data
        attachment = (
            visits.Attachment(upload.filename, upload.read())
            if upload and upload.filename
            else None
        )
        try:
            member = db.session.get(Member, current_member_id())
            created = visits.submit_request(
                member, employee, form.exam_type_id.data, form.description.data, g.user, attachment
            )
            message = self._notify_team(created)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(self._refusal(error, employee, form.exam_type_id.data), "danger")
            return False
        mail.deliver_after_response([message.id])
        if created.health_team_id is None:
            # Issue 9: no team, no team's queue: say where the request really went.
            flash(
                _(
                    "Your request is sent to the service: your company has no occupational "
                    "health team yet, the service assigns one and schedules the visit."
                ),
                "success",
            )
        else:
            flash(_("Your request is sent to your occupational health team."), "success")
        return True

    @staticmethod
    def _refusal(error: ServiceError, employee: Employee, exam_type_id: int):
        """The message; a duplicate links to the request in progress (looked up after the
        rollback when the race was lost at the unique index)."""
        if error.code != "visit_duplicate":
            return MESSAGES[error.code]
        first = error.params.get("request_id") or visits.open_request_id(employee.id, exam_type_id)
        if first is None:  # cancelled in the meantime
            return MESSAGES[error.code]
        # The list filtered on its status, so that the request is on the first page.
        status = db.session.scalar(select(VisitRequest.status).where(VisitRequest.id == first))
        link = url_for(".list", status=status.name if status else None, _anchor=f"request-{first}")
        return Markup('{} <a href="{}" class="alert-link">{}</a>').format(
            MESSAGES[error.code], link, _("See the request in progress")
        )

    def _notify_team(self, visit_request: VisitRequest):
        """The team's mail, or the service's general address when the member has no team."""
        with force_locale("fr"):
            body = render_template("mail/visit_request.txt", visit_request=visit_request)
            subject = _("Visit request from member %(number)s", number=visit_request.member.number)
            if visit_request.health_team_id is None:
                subject = _(
                    "Visit request from member %(number)s, who has no health team",
                    number=visit_request.member.number,
                )
            return mail.queue(visits.team_address(visit_request), subject, body)

    @expose("/<int:request_id>/cancel", methods=["POST"])
    @has_access
    @permission_name("edit")
    def cancel(self, request_id):
        visit_request = owned(VisitRequest, request_id)
        try:
            visits.cancel_request(visit_request, g.user)
            db.session.commit()
            flash(_("The request is cancelled."), "success")
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
        back = ListParams.from_args(request.form)  # the page the user was on
        return redirect(url_for(".list", **back.args(), _anchor=f"request-{request_id}"))

    @expose("/<int:request_id>/convocation.pdf")
    @has_access
    @permission_name("download")
    def convocation(self, request_id):
        visit_request = owned(VisitRequest, request_id)
        if visit_request.status is not RequestStatus.SCHEDULED:
            abort(404)
        with force_locale("fr"):
            pdf = letters.convocation_for(visit_request, clock.today())
        return letters.attachment(pdf, f"convocation-{visit_request.id}.pdf")
