"""A medical visit request in Chromium (manual, "Demande de visite médicale"): the member's
administrator requests a visit from the employee's row in the list; the health team (staff, in
another browser context) opens its queue, schedules the appointment, then records it done with the
conclusion "Apte"; the member sees the conclusion in the employee's "Visites" tab and the request
"Réalisée" in the list of requests. The French wording is checked last, against the catalogue."""

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from app import clock
from app.domain.follow_up import FollowUp
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.centre import HealthTeam
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome, VisitRequest
from app.views.labels import ENUM_LABELS
from tests.e2e.conftest import TIMEOUT_MS
from tests.views.test_employees import french

pytestmark = pytest.mark.e2e

MEMBER = ("ets10250", "Adherent-demo-2026")
STAFF = ("gestion", "Gestion-demo-2026")
QUEUE_PATH = "/backofficevisitrequestview/list/"
RECOMMENDATION = "Port de chaussures de sécurité."


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()


def the_setting(app) -> dict:
    """An SI employee of 10250 without request, the exam type, the team's centre and first
    professional."""
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        employee = db.session.scalars(
            select(Employee)
            .where(
                Employee.member_id == member_id,
                Employee.category == FollowUp.SI,
                Employee.contract_end_on.is_(None),
                Employee.id.not_in(select(VisitRequest.employee_id)),
            )
            .order_by(Employee.id)
        ).first()
        exam = db.session.scalar(select(ExamType).where(ExamType.code == "VIP_PER"))
        team = db.session.scalar(
            select(HealthTeam).where(HealthTeam.id == employee.member.health_team_id)
        )
        professional = sorted(team.professionals, key=lambda p: p.id)[0]
        return {
            "employee_id": employee.id,
            "employee": f"{employee.last_name} {employee.first_name}",
            "exam_id": exam.id,
            "exam": exam.label,
            "centre_id": team.centre.id,
            "centre": team.centre.name,
            "professional_id": professional.id,
        }


def requests_of(app, employee_id: int) -> list[tuple]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(
                    VisitRequest.id,
                    VisitRequest.status,
                    VisitRequest.exam_type_id,
                    VisitRequest.scheduled_at,
                    VisitRequest.centre_id,
                    VisitRequest.professional_id,
                )
                .where(VisitRequest.employee_id == employee_id)
                .order_by(VisitRequest.id)
            )
        ]


def test_member_requests_staff_schedule_and_record_the_member_sees_the_outcome(
    app, live_server, browser, page
):
    setting = the_setting(app)
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))

    # The member: the employee's row button in the list, the exam type, "Envoyer".
    log_in(page, live_server, *MEMBER)
    page.goto(f"{live_server}/employees/?size=50")
    row = page.locator(f"tr[data-employee='{setting['employee_id']}']")
    expect(row).to_have_count(1)
    row.locator("a.request-visit").click()
    page.wait_for_load_state()
    expect(page).to_have_url(
        f"{live_server}/visit-requests/new?employee_id={setting['employee_id']}"
    )
    expect(page.locator("#visit-request-form")).to_contain_text(setting["employee"])
    page.select_option("#exam_type_id", label=setting["exam"])
    page.click("#send-request")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/employees/{setting['employee_id']}")
    ((request_id, status, exam_id, *_),) = requests_of(app, setting["employee_id"])
    assert (status, exam_id) == (RequestStatus.SUBMITTED, setting["exam_id"])

    # Staff, in a browser context of their own: the queue from the menu, the request, schedule.
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    staff = context.new_page()
    staff.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    try:
        log_in(staff, live_server, *STAFF)
        queue_link = staff.locator(f".navbar a[href*='{QUEUE_PATH}']")
        menu = staff.locator(".navbar li.dropdown", has=staff.locator(f"a[href*='{QUEUE_PATH}']"))
        menu.locator("a.dropdown-toggle").click()
        expect(queue_link).to_be_visible()
        queue_title = queue_link.inner_text()
        queue_link.click()
        staff.wait_for_load_state()
        expect(staff).to_have_url(re.compile(re.escape(QUEUE_PATH)))
        rowids = staff.locator("input[name=rowid]")
        expect(rowids.last).to_have_attribute("value", str(request_id))  # the newest, last
        staff.locator(f"a[href*='/backofficevisitrequestview/show/{request_id}']").first.click()
        staff.wait_for_load_state()
        expect(staff.locator("body")).to_contain_text(setting["employee"])

        staff.click("#schedule")
        staff.wait_for_load_state()
        tomorrow = datetime.combine(clock.today() + timedelta(days=1), time(10, 0))
        staff.fill("#scheduled_at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
        staff.select_option("#centre_id", value=str(setting["centre_id"]))
        staff.select_option("#professional_id", value=str(setting["professional_id"]))
        staff.click("#save-schedule")
        staff.wait_for_load_state()
        expect(staff).to_have_url(f"{live_server}/backofficevisitrequestview/show/{request_id}")
        ((_, status, _, scheduled_at, centre_id, professional_id),) = requests_of(
            app, setting["employee_id"]
        )
        assert status is RequestStatus.SCHEDULED
        assert (scheduled_at, centre_id, professional_id) == (
            tomorrow,
            setting["centre_id"],
            setting["professional_id"],
        )

        # The appointment must be past to record its outcome: moved to yesterday in the database.
        yesterday = datetime.combine(clock.today() - timedelta(days=1), time(10, 0))
        with app.app_context():
            db.session.execute(
                update(VisitRequest)
                .where(VisitRequest.id == request_id)
                .values(scheduled_at=yesterday)
            )
            db.session.commit()

        staff.click("#record-outcome")
        staff.wait_for_load_state()
        staff.select_option("#outcome", value="seen")
        staff.select_option("#conclusion", value=Conclusion.FIT.name)
        conclusion_label = staff.locator("#conclusion option:checked").inner_text()
        staff.fill("#recommendations", RECOMMENDATION)
        staff.click("#save-outcome")
        staff.wait_for_load_state()
        expect(staff).to_have_url(re.compile(re.escape(QUEUE_PATH)))
        expect(staff.locator(f"input[name=rowid][value='{request_id}']")).to_have_count(0)
    finally:
        context.close()

    ((_, status, *_),) = requests_of(app, setting["employee_id"])
    assert status is RequestStatus.DONE
    with app.app_context():
        visit = db.session.scalar(select(Visit).where(Visit.request_id == request_id))
        assert (visit.outcome, visit.conclusion, visit.visit_on) == (
            VisitOutcome.SEEN,
            Conclusion.FIT,
            yesterday.date(),
        )
        assert visit.recommendations == RECOMMENDATION

    # The member: the "Visites" tab of the record, then the list of requests.
    page.goto(f"{live_server}/employees/{setting['employee_id']}")
    visits_tab = page.locator("a[href='#visits']")
    tab_title = visits_tab.inner_text()
    visits_tab.click()
    done = page.locator("table.visits-done tbody tr", has_text=f"{yesterday:%d/%m/%Y}")
    expect(done).to_have_count(1)
    expect(done).to_be_visible()
    expect(done).to_contain_text(setting["exam"])
    expect(done).to_contain_text(RECOMMENDATION)
    done_conclusion = done.locator("td").nth(2).inner_text()
    tab_status = page.locator("table.visit-requests td.status").first.inner_text()

    page.goto(f"{live_server}/visit-requests/")
    listed = page.locator(f"tr[data-request='{request_id}']")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(setting["employee"])
    expect(listed.locator("a[href$='/convocation.pdf']")).to_have_count(0)
    listed_status = listed.locator("td.status").inner_text()

    csp_errors = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp_errors, f"CSP violations in the console: {csp_errors}"

    assert queue_title.strip() == french("Visit requests to handle")
    assert tab_title.strip() == french("Visits") == "Visites"
    assert conclusion_label.strip() == french(ENUM_LABELS[Conclusion.FIT])
    assert done_conclusion.strip() == french(ENUM_LABELS[Conclusion.FIT])
    assert tab_status.strip() == french(ENUM_LABELS[RequestStatus.DONE])
    assert listed_status.strip() == french(ENUM_LABELS[RequestStatus.DONE])
