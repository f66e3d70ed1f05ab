"""Why the next visit is due (issue 9, "a due date that alarms without saying why"): the reason of
every stored due date is shown on the employee's record, in the workforce report and in its Excel
export, with the overdue flag, so that "En retard" comes with "VIP initiale jamais réalisée"."""

from datetime import timedelta

from lxml import html as lxml_html
from sqlalchemy import select

from app import clock
from app.domain.due_dates import DueReason
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from tests.views.test_access import french
from tests.views.test_reports import EXPORTS, WORKFORCE, rows_of, sheet_of

FIRST_VIP = "Initial VIP never done (3 months after taking the post)"
PROFESSIONAL = "Date set by the health professional"


def _set_due(app, **changes) -> dict:
    """Two employees of 10250: one overdue for its initial VIP, one with a date set by the
    professional next year; returns their ids and names."""
    today = clock.today()
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        first, second = db.session.scalars(
            select(Employee)
            .where(Employee.member_id == member_id, Employee.contract_end_on.is_(None))
            .order_by(Employee.id)
            .limit(2)
        )
        first.next_due_on, first.next_due_reason = today - timedelta(days=30), "first_vip"
        second.next_due_on = today + timedelta(days=365)
        second.next_due_reason = DueReason.PROFESSIONAL.value
        db.session.commit()
        return {
            "late": (first.id, first.last_name),
            "set": (second.id, second.last_name),
        }


def test_the_record_shows_the_next_due_date_its_reason_and_the_delay(app, member):
    employees = _set_due(app)
    page = member.get(f"/employees/{employees['late'][0]}")
    assert page.status_code == 200
    due = " ".join(lxml_html.fromstring(page.text).find_class("employee-due")[0].itertext())
    assert french(FIRST_VIP) in due and "En retard" in due
    assert (clock.today() - timedelta(days=30)).strftime("%d/%m/%Y") in due

    other = member.get(f"/employees/{employees['set'][0]}").text
    due = " ".join(lxml_html.fromstring(other).find_class("employee-due")[0].itertext())
    assert french(PROFESSIONAL) in due and "En retard" not in due


def test_the_workforce_report_and_its_export_say_why_each_visit_is_due(app, member):
    employees = _set_due(app)
    page = member.get(WORKFORCE, query_string={"size": 100})
    rows = {row["id"]: row for row in rows_of(page.text)}
    tree = lxml_html.fromstring(page.text)
    reasons = {
        int(tr.get("data-employee")): " ".join(tr.find_class("next_due_on")[0].itertext())
        for tr in tree.xpath("//tr[@data-employee]")
    }
    late_id, set_id = employees["late"][0], employees["set"][0]
    assert french(FIRST_VIP) in reasons[late_id] and french(PROFESSIONAL) in reasons[set_id]
    assert rows

    table = sheet_of(member.get(EXPORTS[WORKFORCE]))
    header = table[0]
    reason_column = header.index("Motif de l'échéance")
    by_name = {line[0]: line for line in table[1:]}
    late = next(line for name, line in by_name.items() if employees["late"][1] in name)
    assert late[reason_column] == french(FIRST_VIP) and late[-1] == "Oui"


def test_an_employee_who_left_has_no_visit_due_on_the_record(app, member):
    employees = _set_due(app)
    left_on = clock.today() - timedelta(days=2)
    with app.app_context():
        db.session.get(Employee, employees["late"][0]).contract_end_on = left_on
        db.session.commit()
    page = member.get(f"/employees/{employees['late'][0]}", query_string={"exited": 1})
    due = " ".join(lxml_html.fromstring(page.text).find_class("employee-due")[0].itertext())
    assert f"sorti des effectifs le {left_on:%d/%m/%Y}" in due and "En retard" not in due
