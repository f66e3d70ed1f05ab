"""Medical visit requests (manual, "Demande de visite médicale"; issue 5): the member's request for
an employee with its PDF attachment and the team's e-mail through a real SMTP server on loopback,
the refusals, cancellation, tenancy; the health team's queue, acknowledgement, scheduling and the
convocation PDF, the outcome (seen or absent) with the next due date recomputed, the history of
every state change; the employer sees administrative data only.

Outcomes first (statuses, rows, files, mails, PDF text); the French wording is checked last in
each test, against translations/fr/LC_MESSAGES/messages.po (an untranslated msgid fails with its
name)."""

import hashlib
import io
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from babel.dates import format_date, format_datetime
from lxml import html as lxml_html
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import func, select, update

from app import clock
from app.domain.due_dates import add_years
from app.domain.follow_up import FollowUp
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.account import OutboxMail
from app.models.centre import HealthTeam
from app.models.document import DocumentContent
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.user import PortalUser
from app.models.visit import Conclusion, Visit, VisitEvent, VisitOutcome, VisitRequest
from app.services import ServiceError, visits
from app.views.labels import ENUM_LABELS
from app.views.messages import MESSAGES
from tests.conftest import csrf_token, post_form
from tests.views.test_employees import (
    alerts,
    employee_form,
    field_errors,
    form_values,
    french,
    logged_in,
)

LIST = "/visit-requests/"
NEW = "/visit-requests/new"
QUEUE = "/backofficevisitrequestview/list/"
STAFF = "/backofficevisitrequestview"
TEAM_EMAIL = "equipe.amiens1@asmis.example"
REQUIRED = "This field is required."
SENT = "Your request is sent to your occupational health team."
CANCELLED = "The request is cancelled."
MAIL_SUBJECT = "Visit request from member %(number)s"
SCHEDULED = "The appointment is scheduled: the member sees the convocation."
RECORDED = "The outcome is recorded."
SAVE_AND_REQUEST = "Save and start a medical visit request"
MEDICAL_WORDS = ("notes", "diagnostic", "traitement")


# --- data -----------------------------------------------------------------------------------------


@pytest.fixture
def setting(app):
    """An SI employee of 10250 in the workforce with no request yet, the exam types, the health
    team of 10250 with its centre and first professional, the users and the demo requests."""
    with app.app_context():
        members = dict(db.session.execute(select(Member.number, Member.id)).tuples().all())
        requested = select(VisitRequest.employee_id)
        employee = db.session.scalars(
            select(Employee)
            .where(
                Employee.member_id == members["10250"],
                Employee.category == FollowUp.SI,
                Employee.contract_end_on.is_(None),
                Employee.id.not_in(requested),
            )
            .order_by(Employee.id)
        ).first()
        other = db.session.scalars(
            select(Employee).where(Employee.member_id == members["10251"]).order_by(Employee.id)
        ).first()
        team = db.session.scalar(select(HealthTeam).where(HealthTeam.email == TEAM_EMAIL))
        assert team.name == "Équipe Amiens Siège 1"
        assert db.session.get(Member, members["10250"]).health_team_id == team.id
        professional = sorted(team.professionals, key=lambda p: p.id)[0]
        demo = {
            (number, status): request_id
            for number, status, request_id in db.session.execute(
                select(Member.number, VisitRequest.status, VisitRequest.id).join(
                    Member, Member.id == VisitRequest.member_id
                )
            )
        }
        users = dict(db.session.execute(select(PortalUser.username, PortalUser.id)).tuples().all())
        return SimpleNamespace(
            members=members,
            employee=SimpleNamespace(
                id=employee.id, name=f"{employee.last_name} {employee.first_name}"
            ),
            other_employee=other.id,
            exams=dict(db.session.execute(select(ExamType.code, ExamType.id)).tuples().all()),
            exam_labels=dict(
                db.session.execute(select(ExamType.code, ExamType.label)).tuples().all()
            ),
            team_id=team.id,
            centre=SimpleNamespace(id=team.centre.id, name=team.centre.name),
            professional=SimpleNamespace(id=professional.id, name=str(professional)),
            demo=demo,
            users=users,
        )


def pdf_file(text: str = "Courrier du médecin traitant") -> bytes:
    """A small real PDF, as a member would attach it."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(72, 760, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def stored_contents(app) -> set[int]:
    """The stored files (attachments and documents keep their bytes in document_content)."""
    with app.app_context():
        return set(db.session.scalars(select(DocumentContent.id)))


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot(app, request_id: int) -> SimpleNamespace:
    with app.app_context():
        row = db.session.get(VisitRequest, request_id)
        return SimpleNamespace(
            id=row.id,
            member_id=row.member_id,
            employee_id=row.employee_id,
            exam_type_id=row.exam_type_id,
            description=row.description,
            status=row.status,
            requested_at=row.requested_at,
            requested_by_id=row.requested_by_id,
            health_team_id=row.health_team_id,
            attachment_name=row.attachment_name,
            attachment_content_id=row.attachment_content_id,
            attachment_size=row.attachment_size,
            attachment_sha256=row.attachment_sha256,
            scheduled_at=row.scheduled_at,
            centre_id=row.centre_id,
            professional_id=row.professional_id,
        )


def requests_for(app, employee_id: int) -> list[SimpleNamespace]:
    with app.app_context():
        ids = db.session.scalars(
            select(VisitRequest.id)
            .where(VisitRequest.employee_id == employee_id)
            .order_by(VisitRequest.id)
        ).all()
    return [snapshot(app, request_id) for request_id in ids]


def events_of(app, request_id: int) -> list[tuple]:
    """(from, to, actor id, at) of each state change, in order."""
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(
                    VisitEvent.from_status, VisitEvent.to_status, VisitEvent.actor_id, VisitEvent.at
                )
                .where(VisitEvent.request_id == request_id)
                .order_by(VisitEvent.at, VisitEvent.id)
            )
        ]


def visits_for(app, request_id: int) -> list[SimpleNamespace]:
    with app.app_context():
        return [
            SimpleNamespace(
                employee_id=v.employee_id,
                exam_type_id=v.exam_type_id,
                visit_on=v.visit_on,
                outcome=v.outcome,
                conclusion=v.conclusion,
                recommendations=v.recommendations,
                next_due_on=v.next_due_on,
                professional_id=v.professional_id,
                recorded_by_id=v.recorded_by_id,
            )
            for v in db.session.scalars(select(Visit).where(Visit.request_id == request_id))
        ]


def employee_dates(app, employee_id: int) -> tuple:
    with app.app_context():
        employee = db.session.get(Employee, employee_id)
        return employee.last_exam_on, employee.next_due_on, employee.next_due_reason


def outbox_mails(app) -> list[OutboxMail]:
    with app.app_context():
        return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def set_in_db(app, model, row_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(model).where(model.id == row_id).values(**values))
        db.session.commit()


# --- flows ----------------------------------------------------------------------------------------


def request_visit(client, employee_id, exam_type_id, description="", attachment=None):
    """The request form sent as the browser does (multipart, with the file if any)."""
    data = {"exam_type_id": str(exam_type_id), "description": description}
    if attachment is not None:
        filename, content = attachment
        data["attachment"] = (io.BytesIO(content), filename, "application/pdf")
    return post_form(
        client, f"{NEW}?employee_id={employee_id}", data, content_type="multipart/form-data"
    )


def submitted(app, client, setting, exam_code="VIP_PER") -> int:
    """A new request for the setting's employee, its id."""
    response = request_visit(client, setting.employee.id, setting.exams[exam_code])
    assert response.status_code == 302, alerts(response.text)
    return requests_for(app, setting.employee.id)[-1].id


def acknowledge(staff, request_id: int):
    return post_form(
        staff,
        f"{STAFF}/action_post",
        {"action": "acknowledge", "rowid": str(request_id)},
        page_url=QUEUE,
    )


def schedule(staff, setting, request_id: int, when: datetime):
    return post_form(
        staff,
        f"{STAFF}/schedule/{request_id}",
        {
            "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"),
            "centre_id": str(setting.centre.id),
            "professional_id": str(setting.professional.id),
        },
    )


def record_outcome(staff, request_id: int, **data):
    fields = {"outcome": "seen", "conclusion": "", "recommendations": "", "next_due_on": ""}
    return post_form(staff, f"{STAFF}/outcome/{request_id}", {**fields, **data})


def tomorrow_at(hour: int = 10) -> datetime:
    return datetime.combine(clock.today() + timedelta(days=1), time(hour, 0))


def yesterday_at(hour: int = 10) -> datetime:
    return datetime.combine(clock.today() - timedelta(days=1), time(hour, 0))


def scheduled_in_the_past(app, staff, setting, request_id: int) -> date:
    """Scheduled tomorrow through the screen, then moved to yesterday in the database (the
    appointment must be past to record its outcome); the visit date."""
    assert schedule(staff, setting, request_id, tomorrow_at()).status_code == 302
    set_in_db(app, VisitRequest, request_id, scheduled_at=yesterday_at())
    return yesterday_at().date()


# --- pages ----------------------------------------------------------------------------------------


def _text(element) -> str:
    return " ".join(element.text_content().split())


def table_rows(page: str, css_class: str) -> list[list[str]]:
    tree = lxml_html.fromstring(page)
    tables = tree.xpath(f"//table[contains(concat(' ', @class, ' '), ' {css_class} ')]")
    assert tables, f"no table .{css_class} in the page"
    return [[_text(td) for td in tr.xpath("./td")] for tr in tables[0].xpath("./tbody/tr")]


def listed_status(page: str, request_id: int) -> str | None:
    tree = lxml_html.fromstring(page)
    cells = tree.xpath(f"//tr[@data-request='{request_id}']/td[contains(@class, 'status')]")
    return _text(cells[0]) if cells else None


def listed_requests(page: str) -> list[int]:
    return [int(value) for value in lxml_html.fromstring(page).xpath("//tr/@data-request")]


def queue_ids(page: str) -> list[int]:
    tree = lxml_html.fromstring(page)
    return [int(value) for value in tree.xpath("//input[@name='rowid']/@value")]


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def short_day(day: date) -> str:
    return format_date(day, "short", locale="fr")


# --- the member's request -------------------------------------------------------------------------


def test_member_requests_a_visit_with_a_pdf_the_team_is_mailed(app, member, setting, smtp):
    pdf = pdf_file()
    files_before = stored_contents(app)
    started = clock.now()

    response = request_visit(
        member,
        setting.employee.id,
        setting.exams["VIP_PER"],
        "Reprise après un arrêt",
        ("courrier médecin.pdf", pdf),
    )
    assert (response.status_code, response.location) == (302, f"/employees/{setting.employee.id}")
    response.close()  # as a WSGI server does once the answer is sent: the mail leaves then

    (row,) = requests_for(app, setting.employee.id)
    assert row.status is RequestStatus.SUBMITTED
    assert (row.member_id, row.exam_type_id, row.description) == (
        setting.members["10250"],
        setting.exams["VIP_PER"],
        "Reprise après un arrêt",
    )
    assert row.requested_by_id == setting.users["ets10250"]
    assert row.health_team_id == setting.team_id
    assert started <= row.requested_at <= clock.now()
    (event,) = events_of(app, row.id)
    assert event[:3] == (None, RequestStatus.SUBMITTED, setting.users["ets10250"])
    assert started <= event[3] <= clock.now()

    # The file: in the database, its digest recorded.
    assert stored_contents(app) - files_before == {row.attachment_content_id}
    assert (row.attachment_name, row.attachment_size) == ("courrier médecin.pdf", len(pdf))
    assert row.attachment_sha256 == hashlib.sha256(pdf).hexdigest()
    with app.app_context():
        stored = db.session.get(DocumentContent, row.attachment_content_id).data
    assert hashlib.sha256(stored).hexdigest() == row.attachment_sha256

    # The team's e-mail, received by the SMTP server.
    ((recipients, mail),) = smtp.wait()
    assert recipients == [TEAM_EMAIL] and mail["To"] == TEAM_EMAIL
    body = mail.get_content()
    assert "10250" in body and "BOULANGERIE DEMO" in body
    assert setting.employee.name in body and "courrier médecin.pdf" in body
    assert setting.exam_labels["VIP_PER"] in body
    assert "10250" in str(mail["Subject"])
    (outbox,) = (m for m in outbox_mails(app) if m.recipient == TEAM_EMAIL)
    assert outbox.sent_at is not None and outbox.error is None

    # Staff get the very file back.
    staff = logged_in(app, "gestion")
    download = staff.get(f"{STAFF}/attachment/{row.id}")
    assert download.status_code == 200 and download.data == pdf

    # The employee's "Visites" tab (where the member lands) and the member's list.
    record = member.get(f"/employees/{setting.employee.id}")
    assert record.status_code == 200
    (tab_row,) = table_rows(record.text, "visit-requests")
    assert setting.exam_labels["VIP_PER"] in tab_row
    landing = alerts(record.text)
    listing = member.get(LIST)
    assert listing.status_code == 200
    listed = listed_status(listing.text, row.id)

    assert listed == french(ENUM_LABELS[RequestStatus.SUBMITTED])
    assert tab_row[2] == french(ENUM_LABELS[RequestStatus.SUBMITTED])
    assert french(SENT) in landing
    assert str(mail["Subject"]) == french(MAIL_SUBJECT) % {"number": "10250"}


def test_collaborator_requests_a_visit_without_attachment(app, setting):
    collaborator = logged_in(app, "ets10250.2")
    files_before = stored_contents(app)
    form = collaborator.get(f"{NEW}?employee_id={setting.employee.id}")
    assert form.status_code == 200 and setting.employee.name in form.text

    response = request_visit(collaborator, setting.employee.id, setting.exams["DEMANDE"])
    assert response.status_code == 302

    (row,) = requests_for(app, setting.employee.id)
    assert row.status is RequestStatus.SUBMITTED
    assert row.requested_by_id == setting.users["ets10250.2"]
    assert row.description is None
    attachment = (row.attachment_content_id, row.attachment_name, row.attachment_sha256)
    assert attachment == (None, None, None)
    assert stored_contents(app) == files_before
    assert [event[1:3] for event in events_of(app, row.id)] == [
        (RequestStatus.SUBMITTED, setting.users["ets10250.2"])
    ]
    assert row.id in listed_requests(collaborator.get(LIST).text)
    # Without a mail server, the team's mail waits in the outbox.
    assert [m.recipient for m in outbox_mails(app)] == [TEAM_EMAIL]


def _exited(app, setting):
    set_in_db(app, Employee, setting.employee.id, contract_end_on=clock.today())


def _temp_agency(app, setting):
    set_in_db(app, Member, setting.members["10250"], is_temp_agency=True)


TOO_LARGE = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"


@pytest.mark.parametrize(
    ("prepare", "exam", "attachment", "msgid", "field"),
    [
        (
            None,
            "VIP_PER",
            ("x.pdf", b"Bonjour, ceci n'est pas un PDF.\n"),
            "attachment_not_pdf",
            None,
        ),
        (None, "VIP_PER", ("gros.pdf", TOO_LARGE), "attachment_too_large", None),
        (None, None, ("ok.pdf", pdf_file()), REQUIRED, "exam_type_id"),
        (_exited, "VIP_PER", ("ok.pdf", pdf_file()), "visit_employee_exited", None),
        (_temp_agency, "VIP_PER", ("ok.pdf", pdf_file()), "visit_user_company_required", None),
    ],
    ids=[
        "not-a-pdf",
        "too-large",
        "no-exam-type",
        "exited-employee",
        "temp-agency-no-user-company",
    ],
)
def test_refused_request_leaves_no_row_and_no_file(
    app, member, setting, prepare, exam, attachment, msgid, field
):
    if prepare is not None:
        prepare(app, setting)
    files_before = stored_contents(app)
    rows_before, events_before = count(app, VisitRequest), count(app, VisitEvent)

    exam_type_id = setting.exams[exam] if exam else 0
    response = request_visit(member, setting.employee.id, exam_type_id, "", attachment)

    assert response.status_code == 200
    assert requests_for(app, setting.employee.id) == []
    assert (count(app, VisitRequest), count(app, VisitEvent)) == (rows_before, events_before)
    assert stored_contents(app) == files_before
    assert outbox_mails(app) == []
    shown = field_errors(response.text).get(field, []) if field else alerts(response.text)

    expected = french(MESSAGES[msgid]) if msgid in MESSAGES else french(msgid)
    assert expected in shown, shown


def test_temp_agency_request_names_the_user_company(app, member, setting):
    _temp_agency(app, setting)
    form = member.get(f"{NEW}?employee_id={setting.employee.id}")
    assert form.status_code == 200

    response = request_visit(
        member, setting.employee.id, setting.exams["VIP_PER"], "Mission chez SUCRERIE DE ROYE"
    )
    assert response.status_code == 302
    (row,) = requests_for(app, setting.employee.id)
    assert row.status is RequestStatus.SUBMITTED
    assert row.description == "Mission chez SUCRERIE DE ROYE"

    hint = "Temporary-work agencies: give the name of the user company in the description."
    assert french(hint) in " ".join(form.text.split())


def test_service_requires_the_user_company_from_a_temp_agency(app, setting):
    """Member 10252 (INTERIM DEMO) has no activated user: the rule is checked on the service."""
    with app.app_context():
        agency = db.session.scalar(select(Member).where(Member.number == "10252"))
        assert agency.is_temp_agency
        employee = db.session.scalars(
            select(Employee)
            .where(Employee.member_id == agency.id, Employee.contract_end_on.is_(None))
            .order_by(Employee.id)
        ).first()
        before = db.session.scalar(select(func.count()).select_from(VisitRequest))
        for description in (None, "", "  ", " ab "):
            with pytest.raises(ServiceError) as refused:
                visits.submit_request(agency, employee, setting.exams["DEMANDE"], description, None)
            assert refused.value.code == "visit_user_company_required"
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(VisitRequest)) == before

        created = visits.submit_request(
            agency, employee, setting.exams["DEMANDE"], "  Mission chez ACME  ", None
        )
        db.session.commit()
        assert created.status is RequestStatus.SUBMITTED
        assert created.description == "Mission chez ACME"
        assert [e.to_status for e in created.events] == [RequestStatus.SUBMITTED]

        # The other checks hold on the service too: another member's employee, an exam type.
        foreign = db.session.scalars(
            select(Employee).where(Employee.member_id != agency.id).order_by(Employee.id)
        ).first()
        with pytest.raises(ServiceError) as refused:
            visits.submit_request(agency, foreign, setting.exams["DEMANDE"], "ACME", None)
        assert refused.value.code == "visit_foreign_employee"
        with pytest.raises(ServiceError) as refused:
            visits.submit_request(agency, employee, 9999, "ACME", None)
        assert refused.value.code == "visit_unknown_exam_type"


def test_employee_of_another_member_is_not_found(app, member, setting):
    files_before = stored_contents(app)
    rows_before = count(app, VisitRequest)
    url = f"{NEW}?employee_id={setting.other_employee}"

    assert member.get(url).status_code == 404
    page = member.get(f"{NEW}?employee_id={setting.employee.id}")
    response = member.post(
        url,
        data={
            "exam_type_id": str(setting.exams["VIP_PER"]),
            "description": "",
            "attachment": (io.BytesIO(pdf_file()), "ok.pdf", "application/pdf"),
            "csrf_token": csrf_token(page.text),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 404
    assert count(app, VisitRequest) == rows_before
    assert requests_for(app, setting.other_employee) == []
    assert stored_contents(app) == files_before


# --- cancellation and tenancy ---------------------------------------------------------------------


def test_member_cancels_a_submitted_request_but_not_a_scheduled_one(app, member, setting):
    request_id = submitted(app, member, setting)

    response = post_form(member, f"{LIST}{request_id}/cancel", page_url=LIST)
    # Back to the list, on the page and the row the user was on (issue 9).
    assert (response.status_code, response.location.split("?")[0]) == (302, LIST)
    assert response.location.endswith(f"#request-{request_id}")
    assert snapshot(app, request_id).status is RequestStatus.CANCELLED
    assert [event[:3] for event in events_of(app, request_id)] == [
        (None, RequestStatus.SUBMITTED, setting.users["ets10250"]),
        (RequestStatus.SUBMITTED, RequestStatus.CANCELLED, setting.users["ets10250"]),
    ]
    cancelled_page = member.get(LIST)

    scheduled_id = setting.demo[("10250", RequestStatus.SCHEDULED)]
    before = snapshot(app, scheduled_id)
    events_before = events_of(app, scheduled_id)
    refused = post_form(member, f"{LIST}{scheduled_id}/cancel", page_url=LIST)
    assert (refused.status_code, refused.location.split("?")[0]) == (302, LIST)
    assert snapshot(app, scheduled_id) == before
    assert events_of(app, scheduled_id) == events_before
    refused_page = member.get(LIST)

    assert listed_status(cancelled_page.text, request_id) == french("Cancelled")
    assert french(CANCELLED) in alerts(cancelled_page.text)
    assert french(MESSAGES["visit_cannot_cancel"]) in alerts(refused_page.text)


def test_member_cannot_reach_the_staff_routes(app, member, setting):
    request_id = setting.demo[("10250", RequestStatus.SUBMITTED)]
    before = snapshot(app, request_id)
    token = csrf_token(member.get(LIST).text)

    for url in (
        QUEUE,
        f"{STAFF}/show/{request_id}",
        f"{STAFF}/schedule/{request_id}",
        f"{STAFF}/outcome/{request_id}",
        f"{STAFF}/attachment/{request_id}",
        "/backofficevisitview/list/",
    ):
        assert member.get(url).status_code == 403, url
    posts = {
        f"{STAFF}/action_post": {"action": "acknowledge", "rowid": str(request_id)},
        f"{STAFF}/schedule/{request_id}": {
            "scheduled_at": tomorrow_at().strftime("%Y-%m-%dT%H:%M"),
            "centre_id": str(setting.centre.id),
            "professional_id": str(setting.professional.id),
        },
        f"{STAFF}/outcome/{request_id}": {"outcome": "absent"},
    }
    for url, data in posts.items():
        assert member.post(url, data={**data, "csrf_token": token}).status_code == 403, url

    assert snapshot(app, request_id) == before
    assert len(events_of(app, request_id)) == 1


def test_member_cannot_see_another_members_requests(app, member, setting):
    submitted_10251 = setting.demo[("10251", RequestStatus.SUBMITTED)]
    scheduled_10251 = setting.demo[("10251", RequestStatus.SCHEDULED)]
    before = snapshot(app, submitted_10251)

    cancel = post_form(member, f"{LIST}{submitted_10251}/cancel", page_url=LIST)
    assert cancel.status_code == 404
    assert snapshot(app, submitted_10251) == before
    assert member.get(f"{LIST}{scheduled_10251}/convocation.pdf").status_code == 404

    listed = set(listed_requests(member.get(LIST).text))
    own = {request_id for (number, _), request_id in setting.demo.items() if number == "10250"}
    assert listed == own


# --- the health team ------------------------------------------------------------------------------


def test_queue_lists_open_requests_oldest_first(app, member, staff, setting):
    request_id = submitted(app, member, setting)
    response = staff.get(QUEUE)
    assert response.status_code == 200
    with app.app_context():
        open_ids = db.session.scalars(
            select(VisitRequest.id)
            .where(
                VisitRequest.status.in_(
                    [RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.SCHEDULED]
                )
            )
            .order_by(VisitRequest.requested_at, VisitRequest.id)
        ).all()
    closed = {
        request_id
        for (_, status), request_id in setting.demo.items()
        if status in (RequestStatus.DONE, RequestStatus.ABSENT, RequestStatus.CANCELLED)
    }
    listed = queue_ids(response.text)
    assert listed == open_ids and listed[-1] == request_id
    assert not closed & set(listed)

    # A request made long ago comes first.
    set_in_db(app, VisitRequest, request_id, requested_at=datetime(2020, 1, 6, 8, 0))
    assert queue_ids(staff.get(QUEUE).text)[0] == request_id


def test_staff_acknowledge_schedule_and_the_member_downloads_the_convocation(
    app, member, staff, setting
):
    request_id = submitted(app, member, setting)
    not_scheduled = member.get(f"{LIST}{request_id}/convocation.pdf")
    assert not_scheduled.status_code == 404

    assert acknowledge(staff, request_id).status_code == 302
    assert snapshot(app, request_id).status is RequestStatus.ACKNOWLEDGED

    past = schedule(staff, setting, request_id, yesterday_at())
    assert past.status_code == 200
    assert snapshot(app, request_id).status is RequestStatus.ACKNOWLEDGED
    assert snapshot(app, request_id).scheduled_at is None

    when = tomorrow_at(10)
    response = schedule(staff, setting, request_id, when)
    assert (response.status_code, response.location) == (302, f"{STAFF}/show/{request_id}")
    row = snapshot(app, request_id)
    assert row.status is RequestStatus.SCHEDULED
    assert (row.scheduled_at, row.centre_id, row.professional_id) == (
        when,
        setting.centre.id,
        setting.professional.id,
    )
    # The member cannot cancel it any more; the list links the convocation.
    listing = member.get(LIST)
    assert f"{LIST}{request_id}/convocation.pdf" in listing.text
    assert f"{LIST}{request_id}/cancel" not in listing.text

    convocation = member.get(f"{LIST}{request_id}/convocation.pdf")
    assert convocation.status_code == 200
    assert convocation.mimetype == "application/pdf"
    text = pdf_text(convocation.data)
    assert setting.employee.name in text
    assert setting.centre.name in text
    assert setting.professional.name in text
    assert format_date(when.date(), "d MMMM y", locale="fr") in text, text
    still_404 = member.get(
        f"{LIST}{setting.demo[('10250', RequestStatus.SUBMITTED)]}/convocation.pdf"
    )
    assert still_404.status_code == 404
    shown = staff.get(f"{STAFF}/show/{request_id}")
    # The appointment's time as scheduled (stored as Paris local time), not shifted.
    assert format_datetime(when, "EEEE d MMMM y 'à' HH:mm", locale="fr") in text, text

    assert french(MESSAGES["visit_schedule_in_past"]) in alerts(past.text)
    assert french(SCHEDULED) in alerts(shown.text)


def _done_flow(app, member, staff, setting, **outcome) -> tuple[int, date]:
    request_id = submitted(app, member, setting)
    assert acknowledge(staff, request_id).status_code == 302
    visit_on = scheduled_in_the_past(app, staff, setting, request_id)
    response = record_outcome(staff, request_id, **outcome)
    assert (response.status_code, response.location) == (302, QUEUE), alerts(response.text)
    return request_id, visit_on


def test_outcome_seen_fit_updates_the_employee_and_the_member_sees_it(app, member, staff, setting):
    recommendation = "Éviter le port de charges lourdes."
    request_id, visit_on = _done_flow(
        app, member, staff, setting, conclusion="FIT", recommendations=recommendation
    )

    assert snapshot(app, request_id).status is RequestStatus.DONE
    (visit,) = visits_for(app, request_id)
    assert (visit.outcome, visit.conclusion, visit.recommendations) == (
        VisitOutcome.SEEN,
        Conclusion.FIT,
        recommendation,
    )
    assert (visit.visit_on, visit.exam_type_id) == (visit_on, setting.exams["VIP_PER"])
    assert visit.professional_id == setting.professional.id
    assert visit.recorded_by_id == setting.users["gestion"] and visit.next_due_on is None
    # SI: the next VIP five years after this one.
    assert employee_dates(app, setting.employee.id) == (
        visit_on,
        add_years(visit_on, 5),
        "periodic_vip_si",
    )

    # The member: the "Visites" tab with administrative data only.
    record = member.get(f"/employees/{setting.employee.id}")
    assert record.status_code == 200
    done_rows = table_rows(record.text, "visits-done")
    mine = [row for row in done_rows if row[0] == short_day(visit_on)]
    assert len(mine) == 1, done_rows
    assert mine[0][1] == setting.exam_labels["VIP_PER"] and mine[0][3] == recommendation
    (request_row,) = table_rows(record.text, "visit-requests")
    lowered = record.text.lower()
    assert [word for word in MEDICAL_WORDS if word in lowered] == []
    listing = member.get(LIST)
    assert [word for word in MEDICAL_WORDS if word in listing.text.lower()] == []
    queue = staff.get(QUEUE)

    assert mine[0][2] == french(ENUM_LABELS[Conclusion.FIT])
    assert request_row[2] == french(ENUM_LABELS[RequestStatus.DONE])
    assert listed_status(listing.text, request_id) == french(ENUM_LABELS[RequestStatus.DONE])
    assert french(RECORDED) in alerts(queue.text)


def test_professionals_earlier_due_date_replaces_the_computed_one(app, member, staff, setting):
    earlier = add_years(clock.today(), 1)
    request_id, visit_on = _done_flow(
        app, member, staff, setting, conclusion="FIT", next_due_on=earlier.isoformat()
    )

    (visit,) = visits_for(app, request_id)
    assert visit.next_due_on == earlier
    assert earlier < add_years(visit_on, 5)
    assert employee_dates(app, setting.employee.id) == (visit_on, earlier, "professional")


def test_outcome_absent_shows_in_the_absences_tab(app, member, staff, setting):
    absences_before = count(
        app, Visit, Visit.employee_id == setting.employee.id, Visit.outcome == VisitOutcome.ABSENT
    )
    dates_before = employee_dates(app, setting.employee.id)
    request_id, visit_on = _done_flow(
        app, member, staff, setting, outcome="absent", conclusion="FIT", recommendations="x"
    )

    assert snapshot(app, request_id).status is RequestStatus.ABSENT
    (visit,) = visits_for(app, request_id)
    assert (visit.outcome, visit.conclusion, visit.recommendations, visit.visit_on) == (
        VisitOutcome.ABSENT,
        None,
        None,
        visit_on,
    )
    assert employee_dates(app, setting.employee.id)[0] == dates_before[0]  # no exam took place
    record = member.get(f"/employees/{setting.employee.id}")
    absences = table_rows(record.text, "absences")
    assert len(absences) == absences_before + 1
    assert [short_day(visit_on), setting.exam_labels["VIP_PER"]] in absences
    assert not [
        row for row in table_rows(record.text, "visits-done") if row[0] == short_day(visit_on)
    ]
    (request_row,) = table_rows(record.text, "visit-requests")

    assert request_row[2] == french(ENUM_LABELS[RequestStatus.ABSENT])


def test_outcome_before_the_appointment_or_without_conclusion_is_refused(
    app, member, staff, setting
):
    request_id = submitted(app, member, setting)
    assert schedule(staff, setting, request_id, tomorrow_at()).status_code == 302
    dates_before = employee_dates(app, setting.employee.id)

    early = record_outcome(staff, request_id, conclusion="FIT")
    assert early.status_code == 200
    assert snapshot(app, request_id).status is RequestStatus.SCHEDULED
    assert visits_for(app, request_id) == []

    set_in_db(app, VisitRequest, request_id, scheduled_at=yesterday_at())
    bare = record_outcome(staff, request_id, recommendations="Sans conclusion")
    assert bare.status_code == 200
    assert snapshot(app, request_id).status is RequestStatus.SCHEDULED
    assert visits_for(app, request_id) == []
    assert employee_dates(app, setting.employee.id) == dates_before
    assert len(events_of(app, request_id)) == 2

    # The outcome form holds administrative fields only.
    form = staff.get(f"{STAFF}/outcome/{request_id}")
    names = set(lxml_html.fromstring(form.text).xpath("//form[.//*[@id='save-outcome']]//@name"))
    assert names == {"csrf_token", "outcome", "conclusion", "recommendations", "next_due_on"}

    assert french(MESSAGES["visit_outcome_in_future"]) in alerts(early.text)
    assert french(MESSAGES["visit_conclusion_required"]) in alerts(bare.text)


def test_every_state_change_is_kept_with_actor_and_time(app, member, staff, setting):
    started = clock.now()
    request_id, _ = _done_flow(app, member, staff, setting, conclusion="FIT")

    events = events_of(app, request_id)
    assert [(before, after, actor) for before, after, actor, _ in events] == [
        (None, RequestStatus.SUBMITTED, setting.users["ets10250"]),
        (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, setting.users["gestion"]),
        (RequestStatus.ACKNOWLEDGED, RequestStatus.SCHEDULED, setting.users["gestion"]),
        (RequestStatus.SCHEDULED, RequestStatus.DONE, setting.users["gestion"]),
    ]
    times = [at for *_, at in events]
    assert times == sorted(times) and started <= times[0] and times[-1] <= clock.now()
    assert count(app, VisitEvent, VisitEvent.request_id == request_id) == 4


# --- the employee form's second save button -------------------------------------------------------


def test_save_then_request_a_visit_goes_to_the_request_form(app, member, setting, ref):
    record = member.get(f"/employees/{setting.employee.id}")
    tree = lxml_html.fromstring(record.text)
    (button,) = tree.xpath("//form[@id='employee-form']//button[@name='then'][@value='visit']")
    values = form_values(record.text)
    values["complementary_info"] = "Équipe du matin"

    saved = member.post(f"/employees/{setting.employee.id}", data={**values, "then": "visit"})
    assert saved.status_code == 302
    assert saved.location == f"{NEW}?employee_id={setting.employee.id}"
    with app.app_context():
        stored = db.session.get(Employee, setting.employee.id).complementary_info
    assert stored == "Équipe du matin"
    assert member.get(saved.location).status_code == 200

    page = member.get("/employees/new")
    created = member.post(
        "/employees/new",
        data={**employee_form(ref), "then": "visit", "csrf_token": csrf_token(page.text)},
    )
    assert created.status_code == 302
    with app.app_context():
        new_id = db.session.scalar(select(Employee.id).where(Employee.last_name == "LEFEVRE-DUPRE"))
    assert created.location == f"{NEW}?employee_id={new_id}"

    assert " ".join(_text(button).split()) == french(SAVE_AND_REQUEST)
    assert french(SAVE_AND_REQUEST) == "Sauvegarder et initier une demande de visite médicale"
