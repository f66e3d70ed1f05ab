"""The staff's work queue on the back-office home (issue 9, "Staff have no work queue"): open
visit requests by health team and status with their count and the age of the oldest, those of
members without a team first, members without a team, employees overdue; every figure links to a
list showing exactly what it counts; the page's statements do not grow with the rows. The
member's page links to its employees, accounts, requests and history, each filtered on it. Staff
and administrators get neither the portal's menu entries nor its pages.

Outcomes are computed here independently of app.services.dashboard (in Python over the rows)."""

import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from lxml import html as lxml_html
from sqlalchemy import select, update

from app import clock
from app.domain.visit_workflow import OPEN, RequestStatus
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.centre import Centre, HealthTeam
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.user import PortalUser
from app.models.visit import VisitRequest
from app.services import audit, members
from tests.views.test_employees import logged_in
from tests.views.test_same_work import statements_of

RESULTS = re.compile(r'<div class="pull-right">\s*<strong>[^<]*</strong>\s*(\d+)')
PORTAL_PATHS = (
    "/portalcompanyview/",
    "/employees/",
    "/visit-requests/",
    "/reports/",
    "/company-users/",
)


def _tree(client, url: str = "/"):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml_html.fromstring(response.text)


def _text(element) -> str:
    return " ".join(element.text_content().split())


def listed_total(client, url: str) -> int:
    """The number of rows a FAB list says it holds (its "Nombre de résultats")."""
    response = client.get(url)
    assert response.status_code == 200, url
    found = RESULTS.search(response.text)
    assert found, f"no result count on {url}"
    return int(found.group(1))


def queue_cells(tree) -> dict[tuple[str, str], tuple[int, str, str]]:
    """{(team id or 'none', status name): (count, link, oldest text)} of the queue table's body."""
    cells = {}
    for row in tree.xpath("//table[contains(@class, 'queue-table')]/tbody/tr"):
        for cell in row.xpath("./td[a]"):
            link = cell.xpath("./a")[0]
            age = cell.xpath(".//span[@class='queue-age']")
            cells[(row.get("data-team"), cell.get("data-status"))] = (
                int(_text(link)),
                link.get("href"),
                _text(age[0]) if age else "",
            )
    return cells


def open_requests(app) -> list[VisitRequest]:
    with app.app_context():
        rows = db.session.scalars(select(VisitRequest).where(VisitRequest.status.in_(OPEN))).all()
        return [(r.id, r.health_team_id, r.status, r.requested_at, r.member_id) for r in rows]


def overdue_ids(app) -> set[int]:
    """Employees in the workforce, due before today, without an appointment in progress."""
    today = clock.today()
    with app.app_context():
        scheduled = set(
            db.session.scalars(
                select(VisitRequest.employee_id).where(
                    VisitRequest.status == RequestStatus.SCHEDULED
                )
            )
        )
        return {
            e.id
            for e in db.session.scalars(select(Employee))
            if (e.contract_end_on is None or e.contract_end_on > today)
            and e.next_due_on is not None
            and e.next_due_on < today
            and e.id not in scheduled
        }


def member_id(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Member.id).where(Member.number == number))


def drop_team(app, number: str) -> None:
    """The member loses its team, and its requests not yet given an appointment follow."""
    with app.app_context():
        member = db.session.get(Member, member_id(app, number))
        member.health_team = None
        members.follow_team(member)
        db.session.commit()


# --- the queue ------------------------------------------------------------------------------------


def test_the_queue_counts_open_requests_by_team_and_status_and_links_to_them(app, staff):
    with app.app_context():  # one request waits since 12 days
        oldest = db.session.scalar(
            select(VisitRequest)
            .where(VisitRequest.status == RequestStatus.SUBMITTED)
            .order_by(VisitRequest.id)
        )
        oldest.requested_at = clock.now() - timedelta(days=12)
        team_of_oldest = str(oldest.health_team_id)
        db.session.commit()
    expected = Counter(
        (str(team) if team else "none", status.name) for _id, team, status, *_ in open_requests(app)
    )
    assert len(expected) >= 4  # the demo's requests span teams and statuses

    cells = queue_cells(_tree(staff))

    counts = {key: count for key, (count, _link, _age) in cells.items() if key[1] != "total"}
    assert counts == dict(expected)
    assert re.search(r"\b12\b", cells[(team_of_oldest, "SUBMITTED")][2])
    for (team, status), (count, link, _age) in cells.items():
        assert listed_total(staff, link) == count, (team, status, link)
        if status != "total":
            assert f"_flt_0_status={status}" in link
        if team != "none":
            assert f"_flt_0_health_team={team}" in link


def test_scheduled_requests_whose_appointment_passed_await_their_outcome(app, staff):
    with app.app_context():
        scheduled = db.session.scalars(
            select(VisitRequest)
            .where(VisitRequest.status == RequestStatus.SCHEDULED)
            .order_by(VisitRequest.id)
        ).all()
        assert len(scheduled) >= 2
        passed = scheduled[0]
        passed.scheduled_at = clock.now() - timedelta(days=2)
        team = str(passed.health_team_id)
        db.session.commit()

    tree = _tree(staff)

    links = tree.xpath("//a[@class='queue-past']")
    assert len(links) == 1
    cell = links[0].getparent()
    assert (cell.getparent().get("data-team"), cell.get("data-status")) == (team, "SCHEDULED")
    assert _text(links[0]).startswith("1")
    assert listed_total(staff, links[0].get("href")) == 1


def test_requests_and_members_without_a_team_come_first(app, staff):
    drop_team(app, "10251")
    without_team = [r for r in open_requests(app) if r[1] is None]
    assert without_team
    with app.app_context():
        members_without = db.session.scalar(
            select(db.func.count(Member.id)).where(Member.health_team_id.is_(None))
        )

    tree = _tree(staff)

    first_row = tree.xpath("//table[contains(@class, 'queue-table')]/tbody/tr")[0]
    assert first_row.get("data-team") == "none"
    requests_link = tree.xpath("//li[@id='requests-without-team']/a")[0]
    assert _text(requests_link).startswith(str(len(without_team)))
    assert "backofficeunassignedvisitrequestview" in requests_link.get("href")
    assert listed_total(staff, requests_link.get("href")) == len(without_team)
    members_link = tree.xpath("//li[@id='members-without-team']/a")[0]
    assert _text(members_link).startswith(str(members_without))
    assert listed_total(staff, members_link.get("href")) == members_without
    # The alert sits above the queue.
    alert = tree.xpath("//section[contains(@class, 'dashboard-without-team')]")[0]
    queue = tree.xpath("//section[contains(@class, 'dashboard-queue')]")[0]
    assert alert.getparent().index(alert) < queue.getparent().index(queue)


def test_no_alert_when_every_member_has_a_team(app, staff):
    assert all(team is not None for _id, team, *_ in open_requests(app))
    with app.app_context():
        assert not db.session.scalar(select(Member.id).where(Member.health_team_id.is_(None)))
    tree = _tree(staff)
    assert not tree.xpath("//section[contains(@class, 'dashboard-without-team')]")
    assert not tree.xpath("//tr[@data-team='none']")


def test_employees_overdue_are_counted_and_listed(app, staff):
    expected = overdue_ids(app)
    assert expected

    link = _tree(staff).xpath("//p[@id='overdue-employees']/a")[0]

    assert _text(link).startswith(str(len(expected)))
    assert listed_total(staff, link.get("href")) == len(expected)
    shown = _tree(staff, f"{link.get('href')}?psize_BackofficeOverdueEmployeeView=100")
    ids = {
        int(href.rsplit("/", 1)[1])
        for href in shown.xpath("//a[contains(@href, '/show/')]/@href")
        if re.search(r"/show/\d+$", href)
    }
    assert ids == expected


def test_the_shortcuts_lead_to_the_documents_to_acknowledge_and_the_campaigns(staff):
    links = _tree(staff).xpath("//nav[contains(@class, 'dashboard-links')]//a/@href")
    assert "/backoffice/campaigns/" in links
    assert any("acknowledge" in link.lower() for link in links), links
    for link in links:
        assert staff.get(link).status_code == 200, link


# --- statements -----------------------------------------------------------------------------------


def _many_more_rows(app, teams: int = 8) -> None:
    """More teams with requests in every open status, more overdue employees, more members
    without a team and their requests."""
    today = clock.today()
    with app.app_context():
        centre_id = db.session.scalar(select(Centre.id).limit(1))
        exams = db.session.scalars(select(ExamType.id).order_by(ExamType.id)).all()
        employees = db.session.scalars(select(Employee).order_by(Employee.id)).all()
        new_teams = [HealthTeam(name=f"Équipe test {n}", centre_id=centre_id) for n in range(teams)]
        db.session.add_all(new_teams)
        db.session.flush()
        taken = {
            (e, x)
            for e, x in db.session.execute(
                select(VisitRequest.employee_id, VisitRequest.exam_type_id).where(
                    VisitRequest.status.in_(OPEN)
                )
            )
        }
        pairs = [(e, x) for e in employees for x in exams if (e.id, x) not in taken]
        statuses = [RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.SCHEDULED]
        for index, (employee, exam) in enumerate(pairs[: teams * 6]):
            status = statuses[index % 3]
            db.session.add(
                VisitRequest(
                    member_id=employee.member_id,
                    employee_id=employee.id,
                    exam_type_id=exam,
                    motive="test",
                    status=status,
                    requested_at=datetime.combine(today, datetime.min.time())
                    - timedelta(days=index),
                    health_team_id=new_teams[index % teams].id if index % 5 else None,
                    scheduled_at=datetime.combine(today + timedelta(days=30), datetime.min.time())
                    if status is RequestStatus.SCHEDULED
                    else None,
                )
            )
        for employee in employees[:60]:
            employee.next_due_on = date(2001, 1, 1)
        db.session.execute(
            update(Member).values(health_team_id=None).where(Member.number == "10252")
        )
        db.session.commit()


def test_the_dashboard_costs_the_same_statements_with_many_rows(app, staff):
    few = statements_of(app, lambda: staff.get("/"))
    rows_before = len(_tree(staff).xpath("//table[contains(@class, 'queue-table')]/tbody/tr"))

    _many_more_rows(app)

    many = statements_of(app, lambda: staff.get("/"))
    tree = _tree(staff)
    assert len(tree.xpath("//table[contains(@class, 'queue-table')]/tbody/tr")) > rows_before + 5
    assert tree.xpath("//li[@id='members-without-team']")
    assert len(many) == len(few), (few, many)


# --- the member's page ----------------------------------------------------------------------------


def test_the_member_page_links_to_its_lists_filtered_on_it(app, staff):
    ids = {number: member_id(app, number) for number in ("10250", "10251")}
    with app.app_context():
        for number in ("10250", "10251"):
            member = db.session.get(Member, ids[number])
            audit.record("profile_updated", member=member, target=f"probe-{number}")
        db.session.commit()
        mine = ids["10250"]
        expected = {
            "member-employees": db.session.scalar(
                select(db.func.count(Employee.id)).where(Employee.member_id == mine)
            ),
            "member-accounts": db.session.scalar(
                select(db.func.count(PortalUser.id)).where(PortalUser.member_id == mine)
            ),
            "member-requests": db.session.scalar(
                select(db.func.count(VisitRequest.id)).where(
                    VisitRequest.member_id == mine, VisitRequest.status.in_(OPEN)
                )
            ),
            "member-history": db.session.scalar(
                select(db.func.count(AuditEntry.id)).where(AuditEntry.member_id == mine)
            ),
        }
    assert all(expected.values())

    tree = _tree(staff, f"/backofficememberview/show/{mine}")

    links = {a.get("id"): a.get("href") for a in tree.xpath("//nav[@class='member-links']/a")}
    assert set(links) == set(expected)
    for name, href in links.items():
        assert f"_flt_0_member={mine}" in href
        assert listed_total(staff, href) == expected[name], name
        page = _tree(staff, href)
        member_cells = [
            _text(td)
            for td in page.xpath("//td")
            if re.match(r"^\d{5} - ", _text(td))  # the "Member" column: "10250 - NAME"
        ]
        assert member_cells and all(cell.startswith("10250 - ") for cell in member_cells), name


def test_a_member_filter_lists_only_that_member_in_its_drop_down(app, staff):
    mine = member_id(app, "10250")
    page = staff.get(f"/backofficeemployeeview/list/?_flt_0_member={mine}").text
    # FAB renders its search fields as JSON-escaped HTML: `<option value="1">10250 - ...`.
    options = re.findall(r'option value=\\"(\d+)\\"\\u003e(\d{5}) - ', page)
    assert options == [(str(mine), "10250")]
    assert staff.get("/backofficeemployeeview/list/?_flt_0_member=abc").status_code == 400


# --- menus ----------------------------------------------------------------------------------------


def _menu_links(client) -> list[str]:
    tree = _tree(client)
    return tree.xpath(
        "//nav[contains(@class, 'navbar')]//ul[contains(@class, 'navbar-nav')]//a/@href"
    )


@pytest.mark.parametrize("username", ["admin", "gestion"])
def test_staff_and_administrators_get_no_portal_menu_nor_portal_page(app, username):
    client = logged_in(app, username)
    links = _menu_links(client)
    assert any("/backofficememberview/" in link for link in links)
    assert not [link for link in links if link.startswith(PORTAL_PATHS)]
    for path in ("/portalcompanyview/list/", *PORTAL_PATHS[1:]):
        assert client.get(path).status_code != 200, path


def test_a_member_keeps_the_portal_menu(member):
    links = _menu_links(member)
    for path in PORTAL_PATHS:
        assert any(link.startswith(path) for link in links), path
    assert not [link for link in links if "/backoffice" in link]
    assert member.get("/employees/").status_code == 200
