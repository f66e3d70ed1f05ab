"""The reports of the portal (manual, chapter 9 "Rapports"): the workforce with its next visit due
and the overdue ones highlighted, the planning (appointments in progress, employees seen, employees
absent) and the conclusions of the health assessments; their filters, sort, pages and Excel
exports; the right that opens them; one member never sees another's rows; and the home page's
chart.

Visits and requests are made through app.services.visits (submit, schedule, record the outcome);
the expected rows are read from the database, so the demo's own visits count too."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import event, select

from app import clock
from app.domain.follow_up import FollowUp
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.centre import Centre, HealthProfessional
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome, VisitRequest
from app.services import visits
from app.services.employee_list import in_workforce
from tests.views.test_employees import logged_in

WORKFORCE = "/reports/workforce"
PLANNING = "/reports/planning"
CONCLUSIONS = "/reports/conclusions"
EXPORTS = {
    WORKFORCE: "/reports/workforce/export.xlsx",
    PLANNING: "/reports/planning/export.xlsx",
    CONCLUSIONS: "/reports/conclusions/export.xlsx",
}
# Every page of the reports, with the planning's three views.
PAGES = (
    ("/reports/", {}),
    (WORKFORCE, {}),
    (PLANNING, {"view": "planned"}),
    (PLANNING, {"view": "seen"}),
    (PLANNING, {"view": "absent"}),
    (CONCLUSIONS, {}),
)
SECTIONS = PAGES[1:]
A_MARK = "Casque antibruit A-10250"  # recommendations only member 10250's visits carry
B_MARK = "Siège ergonomique B-10251"


# --- reading the pages ----------------------------------------------------------------------------


def _text(element) -> str:
    return " ".join(element.text_content().split())


def rows_of(page: str) -> list[dict]:
    """The report's rows: ids, CSS classes, and the cells by column key."""
    tree = lxml_html.fromstring(page)
    for reason in tree.find_class("due-reason"):  # the value alone (tests/views/test_due_reasons)
        reason.drop_tree()
    rows = []
    for tr in tree.xpath("//tr[@data-row]"):
        cells = {td.get("class"): _text(td) for td in tr.xpath("./td[@class]")}
        rows.append(
            {
                "id": int(tr.get("data-row")),
                "employee": int(tr.get("data-employee")),
                "classes": (tr.get("class") or "").split(),
                **cells,
            }
        )
    return rows


def headers_of(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    return [
        _text(a) for a in tree.xpath("//table[contains(@class, 'report')]//a[@class='sort-link']")
    ]


def summary(page: str) -> str:
    return _text(lxml_html.fromstring(page).find_class("pagination-summary")[0])


def shown(client, url: str, **args) -> tuple[str, list[dict]]:
    response = client.get(url, query_string={"size": 100, **args})
    assert response.status_code == 200, url
    return response.text, rows_of(response.text)


def ids(client, url: str, **args) -> list[int]:
    return [row["id"] for row in shown(client, url, **args)[1]]


def sheet_of(response) -> list[list]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


# --- data -----------------------------------------------------------------------------------------


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _staff(member: Member) -> list[Employee]:
    return db.session.scalars(
        select(Employee)
        .where(Employee.member_id == member.id, in_workforce(clock.today()))
        .order_by(Employee.id)
    ).all()


def _exam(code: str) -> int:
    return db.session.scalar(select(ExamType.id).where(ExamType.code == code))


def _appointment(member, employee, exam: str, days: int):
    """A request scheduled `days` from now (at 10:30) in the first centre."""
    centre = db.session.scalar(select(Centre.id).order_by(Centre.id).limit(1))
    professional = db.session.scalar(select(HealthProfessional.id).limit(1))
    request = visits.submit_request(member, employee, _exam(exam), "Rapports", None)
    when = datetime.combine(clock.today() + timedelta(days=days), time(10, 30))
    visits.schedule(request, when, centre, professional, None)
    return request


def _visit(member, employee, exam: str, days_ago: int, **outcome) -> Visit:
    """A visit that took place `days_ago` days ago (seen or absent)."""
    request = _appointment(member, employee, exam, 1)
    request.scheduled_at = datetime.combine(clock.today() - timedelta(days=days_ago), time(9))
    return visits.record_outcome(request, None, **outcome)


@pytest.fixture
def data(app):
    """For 10250 and 10251: two appointments, three visits seen, one absence; then 10250's
    next due dates set: one overdue, one overdue with an appointment, one due next month."""
    with app.app_context():
        made = {}
        for number, mark in (("10250", A_MARK), ("10251", B_MARK)):
            member = _member(number)
            staff = _staff(member)
            _appointment(member, staff[0], "DEMANDE", 5)
            _appointment(member, staff[1], "VIP_PER", 40)
            _visit(member, staff[2], "VIP_PER", 30, seen=True, conclusion=Conclusion.ATTESTATION)
            _visit(
                member,
                staff[3],
                "EMA_PER",
                400,
                seen=True,
                conclusion=Conclusion.UNFIT,
                recommendations=mark,
            )
            _visit(member, staff[4], "EMA_EMB", 10, seen=True, conclusion=Conclusion.FIT)
            _visit(member, staff[5], "VIP_PER", 3, seen=False)
            made[number] = [employee.id for employee in staff[:6]]
        staff = _staff(_member("10250"))
        today = clock.today()
        staff[6].next_due_on = today - timedelta(days=40)  # overdue
        staff[0].next_due_on = today - timedelta(days=20)  # overdue, but an appointment is set
        staff[7].next_due_on = (today.replace(day=1) + timedelta(days=40)).replace(day=3)
        made["overdue"], made["caught_up"], made["due_later"] = (
            staff[6].id,
            staff[0].id,
            staff[7].id,
        )
        db.session.commit()
    return made


@pytest.fixture
def admin(app, data):
    return logged_in(app, "ets10250")


def _expected(app, number: str, query) -> list:
    with app.app_context():
        member = _member(number)
        return db.session.execute(query(member.id)).all()


def workforce_of(app, number: str) -> list[Employee]:
    with app.app_context():
        staff = _staff(_member(number))
        db.session.expunge_all()
        return staff


def scheduled_ids(app, number: str) -> set[int]:
    rows = _expected(
        app,
        number,
        lambda member_id: select(VisitRequest.id, VisitRequest.employee_id).where(
            VisitRequest.member_id == member_id, VisitRequest.status == RequestStatus.SCHEDULED
        ),
    )
    return {row.id for row in rows}


def visits_of(app, number: str, outcome: VisitOutcome) -> list:
    return _expected(
        app,
        number,
        lambda member_id: select(Visit).where(
            Visit.member_id == member_id, Visit.outcome == outcome
        ),
    )


# --- index, rights --------------------------------------------------------------------------------


def test_the_reports_section_opens_the_three_reports(admin):
    home = admin.get("/")
    assert 'href="/reports/"' in home.text

    index = admin.get("/reports/")

    assert index.status_code == 200
    for url in (WORKFORCE, PLANNING, CONCLUSIONS):
        assert f'href="{url}"' in index.text
    for url, args in SECTIONS:
        assert admin.get(url, query_string=args).status_code == 200


def test_a_collaborator_without_the_reports_right_is_refused(app, data):
    client = logged_in(app, "ets10250.2")

    for url, args in PAGES:
        assert client.get(url, query_string=args).status_code == 403, url
    for url in EXPORTS.values():
        assert client.get(url).status_code == 403, url
    home = client.get("/")
    assert home.status_code == 200
    assert "<svg" not in home.text and 'href="/reports/"' not in home.text


def test_service_staff_have_no_reports(app, data):
    assert logged_in(app, "gestion").get(WORKFORCE).status_code in {403, 404}
    assert logged_in(app, "admin").get(WORKFORCE).status_code in {403, 404}  # no member, no portal


# --- workforce ------------------------------------------------------------------------------------


def test_workforce_lists_every_employee_with_category_and_next_visit(app, admin, data):
    staff = workforce_of(app, "10250")

    page, rows = shown(admin, WORKFORCE)

    assert sorted(row["id"] for row in rows) == [employee.id for employee in staff]
    by_id = {row["id"]: row for row in rows}
    for employee in staff:
        row = by_id[employee.id]
        assert row["employee"] == employee.id
        assert row["name"] == f"{employee.last_name} {employee.first_name}"
        assert row["category"] == employee.category.value
        assert row["next_due_on"] == (day(employee.next_due_on) if employee.next_due_on else "")
    assert by_id[data["caught_up"]]["appointment"].startswith(
        day(clock.today() + timedelta(days=5))
    )


def test_an_overdue_visit_without_appointment_is_highlighted(app, admin, data):
    today = clock.today()
    with app.app_context():
        booked = set(
            db.session.scalars(
                select(VisitRequest.employee_id).where(
                    VisitRequest.status == RequestStatus.SCHEDULED
                )
            )
        )
    overdue = sorted(
        employee.id
        for employee in workforce_of(app, "10250")
        if employee.next_due_on and employee.next_due_on < today and employee.id not in booked
    )

    _page, rows = shown(admin, WORKFORCE)

    highlighted = sorted(row["id"] for row in rows if "overdue" in row["classes"])
    assert highlighted == overdue
    assert data["overdue"] in highlighted
    assert data["caught_up"] not in highlighted  # due, but the appointment is set
    assert data["due_later"] not in highlighted
    assert sorted(ids(admin, WORKFORCE, overdue=1)) == overdue


def test_workforce_filters_by_name_category_and_due_date(app, admin, data):
    staff = workforce_of(app, "10250")
    sir = sorted(employee.id for employee in staff if employee.category is FollowUp.SIR)
    assert 0 < len(sir) < len(staff)
    later = next(employee for employee in staff if employee.id == data["due_later"])
    part = later.last_name[1:4].lower()

    assert sorted(ids(admin, WORKFORCE, f_category="SIR")) == sir
    assert ids(admin, WORKFORCE, f_category="NOT_A_CATEGORY") == []
    assert sorted(ids(admin, WORKFORCE, f_name=part)) == sorted(
        e.id for e in staff if part in f"{e.last_name} {e.first_name}".lower()
    )
    month = f"{later.next_due_on:%m/%Y}"
    assert later.id in ids(admin, WORKFORCE, f_next_due_on=month)
    assert ids(admin, WORKFORCE, f_next_due_on=day(later.next_due_on)) == sorted(
        e.id for e in staff if e.next_due_on == later.next_due_on
    )
    assert ids(admin, WORKFORCE, f_next_due_on="not a date") == []


def test_workforce_sorts_by_next_visit_with_empty_dates_last(app, admin, data):
    ascending = shown(admin, WORKFORCE, sort="next_due_on")[1]
    descending = shown(admin, WORKFORCE, sort="next_due_on", desc=1)[1]
    by_name = shown(admin, WORKFORCE, sort="name", desc=1)[1]

    def dates(rows):
        return [row["next_due_on"] for row in rows if row["next_due_on"]]

    def parsed(values):
        return [datetime.strptime(value, "%d/%m/%Y").date() for value in values]

    assert parsed(dates(ascending)) == sorted(parsed(dates(ascending)))
    assert parsed(dates(descending)) == sorted(parsed(dates(descending)), reverse=True)
    for rows in (ascending, descending):  # employees without a due date come last either way
        values = [row["next_due_on"] for row in rows]
        assert values[len(dates(rows)) :] == [""] * (len(values) - len(dates(rows)))
    staff = workforce_of(app, "10250")
    names = sorted(((e.last_name, e.first_name, e.id) for e in staff), reverse=True)
    assert [row["id"] for row in by_name] == [entry[2] for entry in names]


def test_pages_of_ten_with_the_summary(app, admin, data):
    total = len(workforce_of(app, "10250"))
    assert total == 30

    first = admin.get(WORKFORCE)  # ten rows per page by default, as in the manual
    third = admin.get(WORKFORCE, query_string={"page": 3})
    beyond = admin.get(WORKFORCE, query_string={"page": 9})
    bigger = admin.get(WORKFORCE, query_string={"size": 25, "page": 2})

    assert len(rows_of(first.text)) == 10
    assert summary(first.text) == "1 - 10 de 30"
    assert summary(third.text) == "21 - 30 de 30"
    assert rows_of(beyond.text) == rows_of(third.text)
    assert summary(bigger.text) == "26 - 30 de 30" and len(rows_of(bigger.text)) == 5
    pages = [rows_of(admin.get(WORKFORCE, query_string={"page": n}).text) for n in (1, 2, 3)]
    assert sorted(row["id"] for page in pages for row in page) == sorted(
        employee.id for employee in workforce_of(app, "10250")
    )


# --- planning -------------------------------------------------------------------------------------


def test_planning_shows_appointments_in_progress_with_date_and_centre(app, admin, data):
    expected = scheduled_ids(app, "10250")

    page, rows = shown(admin, PLANNING)  # the appointments are the default view

    assert {row["id"] for row in rows} == expected and len(rows) >= 2
    assert 'aria-current="page"' in page
    mine = next(row for row in rows if row["employee"] == data["10250"][0])
    assert mine["scheduled_at"].startswith(day(clock.today() + timedelta(days=5)))
    with app.app_context():
        centre = db.session.scalar(select(Centre.name).order_by(Centre.id).limit(1))
        demande = db.session.scalar(select(ExamType.label).where(ExamType.code == "DEMANDE"))
    assert mine["centre"] == centre
    assert mine["exam_type"] == demande
    dates = [row["scheduled_at"] for row in rows]
    assert [datetime.strptime(d, "%d/%m/%Y %H:%M") for d in dates] == sorted(
        datetime.strptime(d, "%d/%m/%Y %H:%M") for d in dates
    )


def test_an_appointment_shows_at_the_paris_time_it_was_set(admin, data):
    planned = shown(admin, PLANNING)[1]
    workforce = shown(admin, WORKFORCE)[1]

    mine = next(row for row in planned if row["employee"] == data["10250"][0])
    assert mine["scheduled_at"] == f"{day(clock.today() + timedelta(days=5))} 10:30"
    caught_up = next(row for row in workforce if row["id"] == data["caught_up"])
    assert caught_up["appointment"] == mine["scheduled_at"]


def test_planning_shows_the_employees_seen_and_absent(app, admin, data):
    seen = visits_of(app, "10250", VisitOutcome.SEEN)
    absent = visits_of(app, "10250", VisitOutcome.ABSENT)

    _page, seen_rows = shown(admin, PLANNING, view="seen")
    _page, absent_rows = shown(admin, PLANNING, view="absent")

    assert sorted(row["id"] for row in seen_rows) == sorted(visit.id for (visit,) in seen)
    assert sorted(row["id"] for row in absent_rows) == sorted(visit.id for (visit,) in absent)
    assert data["10250"][5] in {row["employee"] for row in absent_rows}
    assert day(clock.today() - timedelta(days=3)) in {row["visit_on"] for row in absent_rows}
    # An unknown view shows the appointments.
    assert set(ids(admin, PLANNING, view="other")) == scheduled_ids(app, "10250")


def test_planning_filters_by_exam_type_and_date(app, admin, data):
    with app.app_context():
        vip = _exam("VIP_PER")
    seen = [visit for (visit,) in visits_of(app, "10250", VisitOutcome.SEEN)]
    recent = clock.today() - timedelta(days=30)

    assert sorted(ids(admin, PLANNING, view="seen", f_exam_type=vip)) == sorted(
        visit.id for visit in seen if visit.exam_type_id == vip
    )
    assert ids(admin, PLANNING, view="seen", f_visit_on=day(recent)) == sorted(
        visit.id for visit in seen if visit.visit_on == recent
    )
    when = clock.today() + timedelta(days=40)
    planned = shown(admin, PLANNING, f_scheduled_at=day(when))[1]
    assert [row["employee"] for row in planned] == [data["10250"][1]]


# --- conclusions ----------------------------------------------------------------------------------


def test_conclusions_show_every_visit_seen_with_its_conclusion(app, admin, data):
    seen = {visit.id: visit for (visit,) in visits_of(app, "10250", VisitOutcome.SEEN)}

    page, rows = shown(admin, CONCLUSIONS)

    assert sorted(row["id"] for row in rows) == sorted(seen)
    marked = next(row for row in rows if row["employee"] == data["10250"][3])
    assert marked["recommendations"] == A_MARK
    assert marked["visit_on"] == day(clock.today() - timedelta(days=400))
    assert marked["conclusion"] not in {"", "unfit", "UNFIT"}  # its label, not its code
    assert B_MARK not in page


def test_conclusions_filter_and_sort(app, admin, data):
    seen = [visit for (visit,) in visits_of(app, "10250", VisitOutcome.SEEN)]

    unfit = ids(admin, CONCLUSIONS, f_conclusion="UNFIT")
    by_text = ids(admin, CONCLUSIONS, f_recommendations="antibruit")
    by_year = ids(admin, CONCLUSIONS, f_visit_on=str(clock.today().year))
    newest_first = shown(admin, CONCLUSIONS, sort="visit_on", desc=1)[1]

    assert sorted(unfit) == sorted(v.id for v in seen if v.conclusion is Conclusion.UNFIT)
    assert by_text == [v.id for v in seen if v.recommendations == A_MARK]
    assert sorted(by_year) == sorted(v.id for v in seen if v.visit_on.year == clock.today().year)
    dates = [datetime.strptime(row["visit_on"], "%d/%m/%Y") for row in newest_first]
    assert dates == sorted(dates, reverse=True)
    assert ids(admin, CONCLUSIONS, f_conclusion="NOPE") == []


# --- exports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "args"), SECTIONS)
def test_each_report_exports_its_filtered_rows_to_excel(admin, url, args):
    page, rows = shown(admin, url, **args)
    response = admin.get(EXPORTS[url], query_string=args)

    table = sheet_of(response)

    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert "-10250-" in response.headers["Content-Disposition"]
    header, lines = table[0], table[1:]
    assert header[: len(headers_of(page))] == headers_of(page)
    assert len(lines) == len(rows) > 0
    shown_names = sorted(row["name"] for row in rows)
    assert sorted(line[0] for line in lines) == shown_names


def test_the_workforce_export_follows_filters_and_sort_and_flags_overdue(app, admin, data):
    _page, rows = shown(admin, WORKFORCE, f_category="SIR", sort="next_due_on", desc=1)

    table = sheet_of(
        admin.get(
            EXPORTS[WORKFORCE],
            query_string={"f_category": "SIR", "sort": "next_due_on", "desc": 1},
        )
    )

    assert [line[0] for line in table[1:]] == [row["name"] for row in rows]
    assert {line[1] for line in table[1:]} == {"SIR"}
    overdue = sheet_of(admin.get(EXPORTS[WORKFORCE], query_string={"overdue": 1}))
    assert len(overdue) - 1 == len(ids(admin, WORKFORCE, overdue=1))
    dates = [line[3] for line in overdue[1:]]
    assert all(isinstance(value, datetime) and value.date() < clock.today() for value in dates)
    assert len({line[-1] for line in overdue[1:]}) == 1  # the same "yes" on every line


def test_the_conclusions_export_has_typed_dates_and_recommendations(admin, data):
    table = sheet_of(admin.get(EXPORTS[CONCLUSIONS], query_string={"f_recommendations": "anti"}))

    ((name, visit_on, exam_type, conclusion, recommendations),) = table[1:]
    assert isinstance(visit_on, datetime)
    assert visit_on.date() == clock.today() - timedelta(days=400)
    assert recommendations == A_MARK and conclusion and exam_type


# --- tenancy --------------------------------------------------------------------------------------


def test_a_member_never_sees_another_members_rows(app, data):
    client = logged_in(app, "ets10251")
    mine = {employee.id for employee in workforce_of(app, "10251")}
    with app.app_context():
        theirs = set(
            db.session.scalars(select(Employee.id).join(Member).where(Member.number == "10250"))
        )
        their_names = {
            f"{e.last_name} {e.first_name}"
            for e in db.session.scalars(
                select(Employee).join(Member).where(Member.number == "10250")
            )
        } - {
            f"{e.last_name} {e.first_name}"
            for e in db.session.scalars(
                select(Employee).join(Member).where(Member.number == "10251")
            )
        }

    for url, args in SECTIONS:
        page, rows = shown(client, url, **args)
        assert rows, url
        assert {row["employee"] for row in rows} <= mine, url
        assert not {row["employee"] for row in rows} & theirs, url
        assert A_MARK not in page and "BOULANGERIE" not in page
        table = sheet_of(client.get(EXPORTS[url], query_string=args))
        assert len(table) - 1 == len(rows)
        assert not {line[0] for line in table[1:]} & their_names, url
        assert A_MARK not in str(table)
    assert B_MARK in shown(client, CONCLUSIONS)[0]


# --- home page chart ------------------------------------------------------------------------------


def _chart_values(page: str, chart_id: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    (svg,) = tree.xpath(f"//svg[@id='{chart_id}']")
    assert svg.xpath("./title") and svg.get("role") == "img"
    return [_text(text) for text in svg.xpath(".//text[@class='chart-value']")]


def test_the_home_page_charts_the_workforce_and_the_visits_due(app, admin, data):
    staff = workforce_of(app, "10250")
    today = clock.today()

    page = admin.get("/").text

    assert "<svg" in page
    counts = [sum(e.category is category for e in staff) for category in FollowUp]
    assert _chart_values(page, "chart-categories") == [str(count) for count in counts]
    due = _chart_values(page, "chart-due")
    overdue = ids(admin, WORKFORCE, overdue=1)
    assert due[0] == str(len(overdue))
    assert len(due) == 7
    later = next(e for e in staff if e.id == data["due_later"]).next_due_on
    month_index = (later.year - today.year) * 12 + later.month - today.month
    assert month_index in range(1, 6)
    assert int(due[1 + month_index]) == sum(
        1
        for e in staff
        if e.next_due_on and (e.next_due_on.year, e.next_due_on.month) == (later.year, later.month)
    )
    tree = lxml_html.fromstring(page)
    assert "script" not in {element.tag for element in tree.xpath("//svg//*")}


def test_another_member_charts_its_own_workforce(app, data):
    client = logged_in(app, "ets10251")
    staff = workforce_of(app, "10251")

    page = client.get("/").text

    counts = [sum(e.category is category for e in staff) for category in FollowUp]
    assert _chart_values(page, "chart-categories") == [str(count) for count in counts]


# --- cost -----------------------------------------------------------------------------------------


def _statements(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    executed = []

    def count(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement)

    assert client.get(url).status_code == 200
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(executed)


@pytest.mark.parametrize(
    "urls",
    [
        (f"{WORKFORCE}?size=10", f"{WORKFORCE}?size=100&sort=appointment&overdue=1"),
        (f"{PLANNING}?view=seen&size=10", f"{PLANNING}?view=seen&size=100&sort=exam_type"),
        (f"{CONCLUSIONS}?size=10", f"{CONCLUSIONS}?size=50&f_name=a&sort=conclusion"),
    ],
)
def test_a_report_page_costs_the_same_statements_whatever_its_size(app, admin, urls):
    small, large = (_statements(app, admin, url) for url in urls)
    assert small == large
    assert large <= 20
