"""Back-office: "Tâches de fond" (issue 13, "Jobs ... are visible to staff (queued, running,
done, failed with the error)"): the list of background jobs (app.services.job_list), a job's page
that follows it while it is queued or running (a small script reads `/state` every 3 s), and
relaunching a failed job, or one whose worker stopped answering (app.services.jobs.relaunch)."""

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models.job import JobStatus
from app.services import job_list, jobs
from app.views.params import pager

STATUS_LABELS = {
    JobStatus.QUEUED: _l("Queued"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Completed"),
    JobStatus.FAILED: _l("Failed"),
}
STATUS_COLOURS = {
    JobStatus.QUEUED: "default",
    JobStatus.RUNNING: "info",
    JobStatus.DONE: "success",
    JobStatus.FAILED: "danger",
}
REFRESH_SECONDS = 3
# The tasks' parameters (app/tasks.py), as staff read them; an unknown one shows its name.
PARAM_LABELS = {
    "day": _l("Day"),
    "risk_ids": _l("Risks (ids)"),
    "employee_ids": _l("Employees (ids)"),
    "kinds": _l("Reminders"),
    "year": _l("Year"),
    "mailing": _l("E-mails"),
    "unconfirmed": _l("Unconfirmed declarations too"),
}


def param_rows(params: dict) -> list[tuple[str, str]]:
    """A job's parameters as (label, value) lines: lists joined, booleans in words."""
    rows = []
    for key, value in sorted(params.items()):
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        rows.append((str(PARAM_LABELS.get(key, key)), "" if value is None else str(value)))
    return rows


def task_label(kind: str) -> str:
    task = jobs.TASKS.get(kind)
    return str(task.label) if task else kind


class BackofficeJobView(BaseView):
    route_base = "/backoffice/jobs"
    default_view = "index"
    class_permission_name = "BackofficeJobs"
    base_permissions = ["can_list", "can_show", "can_edit"]

    def _context(self) -> dict:
        return {
            "statuses": STATUS_LABELS,
            "colours": STATUS_COLOURS,
            "task_label": task_label,
            "param_rows": param_rows,
        }

    def _show(self, row, code: int = 200):
        page = self.render_template(
            "backoffice/job_show.html", row=row, refresh=REFRESH_SECONDS, **self._context()
        )
        return page, code

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        filters = job_list.Filters.from_args(request.args)
        found = job_list.page(filters)
        return self.render_template(
            "backoffice/job_list.html",
            found=found,
            filters=filters,
            kinds=job_list.kinds(),
            **pager(filters.page, job_list.PAGE_SIZE, found.total),
            **self._context(),
        )

    @expose("/<int:job_id>")
    @has_access
    @permission_name("show")
    def show(self, job_id: int):
        return self._show(job_list.job(job_id) or abort(404))

    @expose("/<int:job_id>/state")
    @has_access
    @permission_name("show")
    def state(self, job_id: int):
        """What the job's page follows while the job is queued or running."""
        job = (job_list.job(job_id) or abort(404)).job
        return jsonify(
            status=job.status.value,
            label=str(STATUS_LABELS[job.status]),
            done=job.done,
            total=job.total,
            outcome=job.outcome,
            error=job.error,
        )

    @expose("/<int:job_id>/relaunch", methods=["POST"])
    @has_access
    @permission_name("edit")
    def relaunch(self, job_id: int):
        row = job_list.job(job_id) or abort(404)  # the CSRF token is checked by CSRFProtect
        if not jobs.relaunch(row.job):
            flash(_("This job cannot be relaunched: it is queued, running or done."), "danger")
            return self._show(job_list.job(job_id), code=409)
        flash(_("The job is relaunched."), "success")
        return redirect(url_for(".show", job_id=job_id))
