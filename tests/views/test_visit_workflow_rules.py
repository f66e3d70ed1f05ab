"""Workflow rules of visit requests (issue 9, section 1): an employee who leaves the workforce
keeps no open request and is not convened after leaving (unless staff confirm, audited); the
requests of a member without a health team reach the service and come first in the back-office;
only the professions allowed by the exam type are offered and accepted when scheduling.

Rows, statuses, events and outbox mails first; the wording last. Messages not yet in the French
catalogue (they wait in .tr/workflow.po for the lead to merge) are matched by their msgid, which
is what the page shows until then."""

from datetime import date, datetime, time, timedelta

import pytest
from babel.dates import format_date
from lxml import html as lxml_html
from sqlalchemy import select

from app import clock
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.centre import HealthProfessional, HealthTeam, ProfessionalRole
from app.models.employee import Employee
from app.models.member import Member
from app.models.visit import VisitEvent, VisitRequest
from app.services import visits
from app.views.messages import MESSAGES
from tests.conftest import post_form
from tests.views.test_employees import PO_FILE, _catalogue, alerts, save_record
from tests.views.test_visits import (
    QUEUE,
    SENT,
    STAFF,
    TEAM_EMAIL,
    acknowledge,
    count,
    outbox_mails,
    queue_ids,
    record_outcome,
    requests_for,
    schedule,
    set_in_db,
    snapshot,
    submitted,
    tomorrow_at,
    yesterday_at,
)
from tests.views.test_visits import setting as setting  # noqa: F401 - fixture

SERVICE_EMAIL = "contact@asmis.net"
EXIT_SUBJECT = "Visit requests cancelled: employee left the workforce (member %(number)s)"
NO_TEAM_SENT = (
    "Your request is sent to the service: your company has no occupational health team yet, "
    "the service assigns one and schedules the visit."
)
NO_TEAM_SUBJECT = "Visit request from member %(number)s, who has no health team"
NO_TEAM_LABEL = "No health team"
UNASSIGNED = "/backofficeunassignedvisitrequestview/list/"
MEMBERS_WITHOUT_TEAM = "/backofficememberwithoutteamview/list/"


def shown(msgid, **params) -> str:
    """What the page shows: the French once the lead merged the msgid, the msgid until then."""
    msgid = msgid._args[0] if hasattr(msgid, "_args") else msgid
    entry = _catalogue(PO_FILE).get(msgid)
    text = entry.string if entry is not None and entry.string else msgid
    return " ".join((text % params if params else text).split())


def french_day(day: date) -> str:
    return format_date(day, "dd/MM/yyyy", locale="fr")


def notes_of(app, request_id: int) -> list[tuple]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(VisitEvent.from_status, VisitEvent.to_status, VisitEvent.note)
                .where(VisitEvent.request_id == request_id)
                .order_by(VisitEvent.at, VisitEvent.id)
            )
        ]


def schedule_with(staff, request_id: int, when, centre_id: int, professional_id: int, **extra):
    return post_form(
        staff,
        f"{STAFF}/schedule/{request_id}",
        {
            "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"),
            "centre_id": str(centre_id),
            "professional_id": str(professional_id),
            **extra,
        },
    )


# --- 1. leaving the workforce ---------------------------------------------------------------------


def test_exit_today_cancels_open_requests_with_the_reason_and_mails_the_team(
    app, member, staff, setting
):
    first = submitted(app, member, setting, "VIP_PER")
    second = submitted(app, member, setting, "DEMANDE")
    assert acknowledge(staff, second).status_code == 302
    today = clock.today()

    saved = save_record(member, setting.employee.id, contract_end_on=today.isoformat())

    assert saved.status_code == 302, alerts(saved.text)
    reason = f"Salarié sorti des effectifs le {french_day(today)}"
    for request_id, before in (
        (first, RequestStatus.SUBMITTED),
        (second, RequestStatus.ACKNOWLEDGED),
    ):
        assert snapshot(app, request_id).status is RequestStatus.CANCELLED
        assert notes_of(app, request_id)[-1] == (before, RequestStatus.CANCELLED, reason)
    exit_mails = [m for m in outbox_mails(app) if m.subject == shown(EXIT_SUBJECT, number="10250")]
    assert [m.recipient for m in exit_mails] == [TEAM_EMAIL]
    assert f"#{first}" in exit_mails[0].body and f"#{second}" in exit_mails[0].body
    assert french_day(today) in exit_mails[0].body

    # Saving again changes nothing: no second cancellation, no second mail.
    before = len(outbox_mails(app))
    assert save_record(member, setting.employee.id).status_code == 302
    assert len(outbox_mails(app)) == before
    assert len(notes_of(app, first)) == 2


def test_exit_keeps_an_appointment_taken_while_employed_so_its_outcome_can_be_recorded(
    app, member, staff, setting
):
    request_id = submitted(app, member, setting)
    assert schedule(staff, setting, request_id, tomorrow_at()).status_code == 302
    set_in_db(app, VisitRequest, request_id, scheduled_at=yesterday_at())

    saved = save_record(member, setting.employee.id, contract_end_on=clock.today().isoformat())

    assert saved.status_code == 302, alerts(saved.text)
    assert snapshot(app, request_id).status is RequestStatus.SCHEDULED
    assert (
        record_outcome(staff, request_id, outcome="seen", conclusion="ATTESTATION").status_code
        == 302
    )
    assert snapshot(app, request_id).status is RequestStatus.DONE


def test_a_future_exit_cancels_an_appointment_on_or_after_it_but_not_the_pending_request(
    app, member, staff, setting
):
    pending = submitted(app, member, setting, "VIP_PER")
    convened = submitted(app, member, setting, "DEMANDE")
    in_ten_days = datetime.combine(clock.today() + timedelta(days=10), time(9, 0))
    assert schedule(staff, setting, convened, in_ten_days).status_code == 302
    end_on = clock.today() + timedelta(days=5)

    saved = save_record(member, setting.employee.id, contract_end_on=end_on.isoformat())

    assert saved.status_code == 302, alerts(saved.text)
    assert snapshot(app, pending).status is RequestStatus.SUBMITTED
    assert snapshot(app, convened).status is RequestStatus.CANCELLED
    assert notes_of(app, convened)[-1] == (
        RequestStatus.SCHEDULED,
        RequestStatus.CANCELLED,
        f"Salarié sorti des effectifs le {french_day(end_on)}",
    )
    # The member no longer has a convocation to download.
    assert member.get(f"/visit-requests/{convened}/convocation.pdf").status_code == 404
    assert [m.recipient for m in outbox_mails(app) if f"#{convened}" in (m.body or "")] == [
        TEAM_EMAIL
    ]


def test_staff_cannot_schedule_after_the_exit_unless_they_confirm_and_it_is_audited(
    app, member, staff, setting
):
    request_id = submitted(app, member, setting)
    end_on = clock.today() + timedelta(days=3)
    set_in_db(app, Employee, setting.employee.id, contract_end_on=end_on)
    after_exit = datetime.combine(end_on, time(10, 0))

    form = staff.get(f"{STAFF}/schedule/{request_id}")
    refused = schedule(staff, setting, request_id, after_exit)

    assert refused.status_code == 200
    row = snapshot(app, request_id)
    assert (row.status, row.scheduled_at) == (RequestStatus.SUBMITTED, None)
    assert shown(MESSAGES["visit_employee_left"]) in alerts(refused.text)
    assert lxml_html.fromstring(form.text).xpath("//input[@name='after_exit']")

    # Before the exit: accepted as usual.
    before_exit = datetime.combine(end_on - timedelta(days=1), time(10, 0))
    assert schedule(staff, setting, request_id, before_exit).status_code == 302
    assert snapshot(app, request_id).scheduled_at == before_exit

    # After it, with the box ticked: accepted, said in the history and in the audit log.
    audits = count(app, AuditEntry, AuditEntry.action == "visit_scheduled_after_exit")
    confirmed = schedule_with(
        staff, request_id, after_exit, setting.centre.id, setting.professional.id,
        after_exit="y",
    )  # fmt: skip
    assert confirmed.status_code == 302
    assert snapshot(app, request_id).scheduled_at == after_exit
    assert "convocation maintenue" in notes_of(app, request_id)[-1][2]
    assert count(app, AuditEntry, AuditEntry.action == "visit_scheduled_after_exit") == audits + 1


def test_the_daily_command_closes_requests_of_employees_whose_end_date_has_passed(
    app, member, setting
):
    request_id = submitted(app, member, setting)
    # An end date entered earlier, now past (the save then closed nothing: it was to come).
    set_in_db(app, Employee, setting.employee.id, contract_end_on=clock.today())

    result = close_exited(app)

    assert result.exit_code == 0, result.output
    assert snapshot(app, request_id).status is RequestStatus.CANCELLED
    assert [m.recipient for m in outbox_mails(app) if f"#{request_id}" in (m.body or "")] == [
        TEAM_EMAIL
    ]
    again = close_exited(app)
    assert again.exit_code == 0 and len(notes_of(app, request_id)) == 2


def close_exited(app):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["close-exited-requests"])


# --- 2. members without a health team -------------------------------------------------------------


def test_request_of_a_member_without_team_goes_to_the_service_and_comes_first(
    app, member, staff, setting
):
    set_in_db(app, Member, setting.members["10250"], health_team_id=None)

    request_id = submitted(app, member, setting)
    submitted_response = member.get(f"/employees/{setting.employee.id}")

    row = snapshot(app, request_id)
    assert row.health_team_id is None and row.status is RequestStatus.SUBMITTED
    assert [m.recipient for m in outbox_mails(app)] == [SERVICE_EMAIL]
    assert outbox_mails(app)[0].subject == shown(NO_TEAM_SUBJECT, number="10250")
    # The queue shows it first, flagged; the dedicated list shows only such requests.
    queue = staff.get(QUEUE).text
    assert queue_ids(queue)[0] == request_id
    assert shown(NO_TEAM_LABEL) in queue
    unassigned = staff.get(UNASSIGNED)
    assert unassigned.status_code == 200
    with app.app_context():
        without_team = db.session.scalars(
            select(VisitRequest.id).where(
                VisitRequest.health_team_id.is_(None),
                VisitRequest.status.in_(
                    [RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.SCHEDULED]
                ),
            )
        ).all()
    assert sorted(queue_ids(unassigned.text)) == sorted(without_team) and request_id in without_team
    # The member was told the truth.
    assert shown(NO_TEAM_SENT) in alerts(submitted_response.text)
    assert shown(SENT) not in alerts(submitted_response.text)


def test_request_of_a_member_with_a_team_still_goes_to_the_team(app, member, setting):
    request_id = submitted(app, member, setting)
    page = member.get(f"/employees/{setting.employee.id}")

    assert snapshot(app, request_id).health_team_id == setting.team_id
    assert [m.recipient for m in outbox_mails(app)] == [TEAM_EMAIL]
    assert shown(SENT) in alerts(page.text)


def test_back_office_lists_the_members_without_a_team(app, staff, setting):
    set_in_db(app, Member, setting.members["10251"], health_team_id=None)

    page = staff.get(
        MEMBERS_WITHOUT_TEAM, query_string={"psize_BackofficeMemberWithoutTeamView": 100}
    )

    assert page.status_code == 200
    listed = {
        int(v) for v in lxml_html.fromstring(page.text).xpath("//input[@name='rowid']/@value")
    }
    with app.app_context():
        expected = set(db.session.scalars(select(Member.id).where(Member.health_team_id.is_(None))))
    assert setting.members["10251"] in expected
    assert setting.members["10250"] not in expected
    if listed:  # the list has row checkboxes only with actions; else check the numbers shown
        assert listed == expected
    else:
        tree = lxml_html.fromstring(page.text)
        cells = {" ".join(td.text_content().split()) for td in tree.xpath("//table//td")}
        assert "10251" in cells and "10250" not in cells


# --- 3. who may perform the exam ------------------------------------------------------------------


def _professionals(app) -> dict:
    with app.app_context():
        return {p.id: (p.role, p.team_id) for p in db.session.scalars(select(HealthProfessional))}


def _offered(staff, request_id: int) -> list[int]:
    page = staff.get(f"{STAFF}/schedule/{request_id}").text
    tree = lxml_html.fromstring(page)
    return [int(v) for v in tree.xpath("//select[@name='professional_id']/option/@value") if v]


def test_the_form_offers_only_allowed_professionals_the_teams_first(app, member, staff, setting):
    pros = _professionals(app)
    ema = submitted(app, member, setting, "EMA_PER")
    vip = submitted(app, member, setting, "VIP_PER")

    offered_ema, offered_vip = _offered(staff, ema), _offered(staff, vip)

    assert {pros[p][0] for p in offered_ema} == {ProfessionalRole.PHYSICIAN}
    assert set(offered_ema) == {
        p for p, (role, _) in pros.items() if role is ProfessionalRole.PHYSICIAN
    }
    assert ProfessionalRole.NURSE in {pros[p][0] for p in offered_vip}
    assert ProfessionalRole.ASSISTANT not in {pros[p][0] for p in offered_vip}
    for offered in (offered_ema, offered_vip):
        teams = [pros[p][1] == setting.team_id for p in offered]
        assert teams == sorted(teams, reverse=True) and teams[0]
    # The centre defaults to the team's centre.
    tree = lxml_html.fromstring(staff.get(f"{STAFF}/schedule/{ema}").text)
    assert tree.xpath("//select[@name='centre_id']/option[@selected]/@value") == [
        str(setting.centre.id)
    ]


@pytest.mark.parametrize("role", [ProfessionalRole.ASSISTANT, ProfessionalRole.NURSE])
def test_a_forged_professional_who_may_not_perform_the_exam_is_refused(
    app, member, staff, setting, role
):
    with app.app_context():
        professional_id = db.session.scalar(
            select(HealthProfessional.id)
            .where(
                HealthProfessional.role == role,
                HealthProfessional.team_id == setting.team_id,
            )
            .limit(1)
        )
        if professional_id is None:
            team = db.session.get(HealthTeam, setting.team_id)
            added = HealthProfessional(team=team, role=role, last_name="TEST", first_name="Pro")
            db.session.add(added)
            db.session.commit()
            professional_id = added.id
    request_id = submitted(app, member, setting, "EMA_PER")
    events = count(app, VisitEvent, VisitEvent.request_id == request_id)

    assert professional_id not in _offered(staff, request_id)
    refused = schedule_with(staff, request_id, tomorrow_at(), setting.centre.id, professional_id)

    assert refused.status_code == 200
    row = snapshot(app, request_id)
    assert (row.status, row.scheduled_at, row.professional_id) == (
        RequestStatus.SUBMITTED,
        None,
        None,
    )
    assert count(app, VisitEvent, VisitEvent.request_id == request_id) == events
    assert shown(MESSAGES["visit_professional_not_allowed"]) in alerts(refused.text)


def test_the_service_refuses_a_professional_outside_the_exam_professions(app, member, setting):
    request_id = submitted(app, member, setting, "REPRISE")
    with app.app_context():
        nurse = db.session.scalar(
            select(HealthProfessional).where(HealthProfessional.role == ProfessionalRole.NURSE)
        )
        row = db.session.get(VisitRequest, request_id)
        with pytest.raises(visits.ServiceError) as refused:
            visits.schedule(row, tomorrow_at(), setting.centre.id, nurse.id, None)
        db.session.rollback()
    assert refused.value.code == "visit_professional_not_allowed"
    assert requests_for(app, setting.employee.id)[-1].status is RequestStatus.SUBMITTED
