"""The member's home says what to do (issue 9): above the sections, the employees overdue for a
visit, those whose follow-up category changed with the regulations or who carry a withdrawn risk
item, and the visit requests awaiting an appointment; each item only when there is something and
only for a user who may open its section; "nothing to do" otherwise. Only the member's own data,
and the page's statements do not grow with the member's size.

Expected figures are computed here in Python over the member's rows, independently of
app.services.dashboard."""

import re
from datetime import date, timedelta

import pytest
from lxml import html as lxml_html
from sqlalchemy import delete, select, update

from app import clock
from app.domain.visit_workflow import OPEN, RequestStatus
from app.extensions import db
from app.models.employee import Employee, EmployeeRisk
from app.models.member import Member
from app.models.risk import Risk
from app.models.user import PortalUser
from app.models.visit import VisitRequest
from app.services import declarations
from tests.views.test_employees import logged_in
from tests.views.test_same_work import statements_of


def _text(element) -> str:
    return " ".join(element.text_content().split())


def todo(client) -> dict[str, dict]:
    """{kind: {"count": the item's first number, "url": its link, "parts": [(text, url)]}}."""
    response = client.get("/")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.text)
    panel = tree.xpath("//section[contains(@class, 'portal-todo')]")
    assert panel, "no to-do list on the home page"
    order = {element: index for index, element in enumerate(tree.iter())}
    sections = tree.xpath("//div[contains(@class, 'portal-sections')]")
    assert order[panel[0]] < order[sections[0]], "the to-do list comes above the sections"
    items = {}
    for li in panel[0].xpath(".//li[starts-with(@class, 'todo-')]"):
        kind = li.get("class").removeprefix("todo-")
        links = li.xpath("./a")
        main = links[0] if links and li.text_content().strip().startswith(_text(links[0])) else None
        number = re.match(r"\d+", _text(li))  # none in "Your 2026 declaration is to confirm"
        items[kind] = {
            "count": int(number.group()) if number else None,
            "url": main.get("href") if main is not None else None,
            "parts": [(_text(a), a.get("href")) for a in links if a is not main],
        }
    items["empty"] = bool(panel[0].xpath(".//*[contains(@class, 'todo-empty')]"))
    return items


def member_of(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Member.id).where(Member.number == number))


def expected(app, number: str) -> dict:
    today = clock.today()
    member_id = member_of(app, number)
    with app.app_context():
        staff = [
            e
            for e in db.session.scalars(select(Employee).where(Employee.member_id == member_id))
            if e.contract_end_on is None or e.contract_end_on > today
        ]
        requests = db.session.scalars(
            select(VisitRequest).where(VisitRequest.member_id == member_id)
        ).all()
        scheduled = {r.employee_id for r in requests if r.status is RequestStatus.SCHEDULED}
        withdrawn = set(
            db.session.scalars(
                select(EmployeeRisk.employee_id)
                .join(Risk, Risk.id == EmployeeRisk.risk_id)
                .where(EmployeeRisk.member_id == member_id, Risk.declarable_until < today)
            )
        )
        return {
            "overdue": {
                e.id
                for e in staff
                if e.next_due_on and e.next_due_on < today and e.id not in scheduled
            },
            "changed": {e.id for e in staff if e.category_changed_on is not None},
            "redeclare": {e.id for e in staff if e.id in withdrawn},
            "awaiting": {
                status.name: sum(1 for r in requests if r.status is status)
                for status in (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED)
            },
        }


def employees_listed(client, url: str) -> set[int]:
    response = client.get(f"{url}&size=100")
    assert response.status_code == 200, url
    return {int(i) for i in lxml_html.fromstring(response.text).xpath("//tr/@data-employee")}


def set_rights(app, username: str, *rights: str) -> None:
    """The collaborator's roles: the member role plus the given rights only."""
    sm = app.appbuilder.sm
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
        user.roles = [sm.find_role("Member"), *(sm.find_role(right) for right in rights)]
        db.session.commit()


def test_the_administrator_sees_every_item_with_its_count_and_link(app, member):
    want = expected(app, "10250")
    assert want["overdue"] and want["changed"] and all(want["awaiting"].values())

    items = todo(member)

    assert not items["empty"]
    assert items["overdue"]["count"] == len(want["overdue"])
    assert items["overdue"]["url"].startswith("/reports/workforce")
    report = member.get(items["overdue"]["url"] + "&size=100").text
    assert {int(i) for i in re.findall(r'data-employee="(\d+)"', report)} == want["overdue"]

    assert items["changed"]["count"] == len(want["changed"])
    assert employees_listed(member, items["changed"]["url"]) == want["changed"]
    assert ("redeclare" in items) == bool(want["redeclare"])

    awaiting = items["awaiting"]
    assert awaiting["count"] == sum(want["awaiting"].values())
    assert awaiting["url"] is None
    assert [url for _text, url in awaiting["parts"]] == [
        f"/visit-requests/?status={status}" for status in ("SUBMITTED", "ACKNOWLEDGED")
    ]
    for (text, _url), status in zip(awaiting["parts"], ("SUBMITTED", "ACKNOWLEDGED"), strict=True):
        assert text.startswith(str(want["awaiting"][status]))


def test_a_withdrawn_risk_item_to_declare_again_is_an_item(app, member):
    today = clock.today()
    with app.app_context():
        member_id = member_of(app, "10250")
        risk = db.session.scalar(select(Risk).where(Risk.declarable_until < today))
        assert risk is not None
        employee = db.session.scalar(
            select(Employee)
            .where(Employee.member_id == member_id, Employee.contract_end_on.is_(None))
            .where(
                ~Employee.id.in_(
                    select(EmployeeRisk.employee_id).where(EmployeeRisk.risk_id == risk.id)
                )
            )
            .limit(1)
        )
        db.session.add(EmployeeRisk(member_id=member_id, employee_id=employee.id, risk_id=risk.id))
        db.session.commit()
    want = expected(app, "10250")["redeclare"]

    item = todo(member)["redeclare"]

    assert item["count"] == len(want)
    assert employees_listed(member, item["url"]) == want


def test_items_follow_the_collaborators_rights(app):
    set_rights(app, "ets10250.2", "right.employees.read")
    items = todo(logged_in(app, "ets10250.2"))
    assert "awaiting" not in items  # no visits right, no visits item
    assert items["changed"]["url"]
    # no reports right: the employee list, filtered on the same employees
    assert items["overdue"]["url"].startswith("/employees/")
    assert (
        employees_listed(logged_in(app, "ets10250.2"), items["overdue"]["url"])
        == (expected(app, "10250")["overdue"])
    )

    set_rights(app, "ets10250.2", "right.visits")
    items = todo(logged_in(app, "ets10250.2"))
    assert set(items) == {"awaiting", "empty"}

    set_rights(app, "ets10250.2")
    items = todo(logged_in(app, "ets10250.2"))
    assert set(items) == {"empty"} and items["empty"]


def test_nothing_to_do_says_so(app):
    member_id = member_of(app, "10251")
    with app.app_context():
        db.session.execute(
            update(Employee)
            .where(Employee.member_id == member_id)
            .values(next_due_on=clock.today() + timedelta(days=90), category_changed_on=None)
        )
        db.session.execute(delete(EmployeeRisk).where(EmployeeRisk.member_id == member_id))
        db.session.execute(
            update(VisitRequest)
            .where(VisitRequest.member_id == member_id, VisitRequest.status.in_(OPEN))
            .values(status=RequestStatus.CANCELLED)
        )
        # The year's workforce declaration (issue 11) confirmed too.
        campaign = declarations.current_campaign(clock.today())
        declarations.confirm(db.session.get(Member, member_id), None, campaign, None)
        db.session.commit()
    # Another member's work does not show.
    assert any(expected(app, "10250")[kind] for kind in ("overdue", "changed"))

    items = todo(logged_in(app, "ets10251"))

    assert items == {"empty": True}


def _grow(app, number: str, count: int) -> None:
    """`count` more employees for the member, copies of its first, overdue and changed, and as
    many requests awaiting an appointment."""
    member_id = member_of(app, number)
    with app.app_context():
        model = db.session.scalar(
            select(Employee).where(Employee.member_id == member_id).order_by(Employee.id)
        )
        exam = db.session.scalar(select(VisitRequest.exam_type_id).limit(1))
        columns = [c.key for c in Employee.__table__.columns if c.key not in ("id", "nir")]
        for n in range(count):
            copy = Employee(**{key: getattr(model, key) for key in columns})
            copy.last_name = f"COPIE{n}"
            copy.next_due_on = date(2001, 1, 1)
            copy.category_changed_on = date(2025, 10, 1)
            copy.contract_end_on = None
            db.session.add(copy)
            db.session.flush()
            db.session.add(
                VisitRequest(
                    member_id=member_id,
                    employee_id=copy.id,
                    exam_type_id=exam,
                    motive="test",
                    status=RequestStatus.SUBMITTED if n % 2 else RequestStatus.ACKNOWLEDGED,
                    requested_at=clock.now(),
                    health_team_id=copy.member.health_team_id,
                )
            )
        db.session.commit()


@pytest.mark.parametrize("username", ["ets10250", "ets10250.2"])
def test_the_home_costs_the_same_statements_whatever_the_members_size(app, username):
    client = logged_in(app, username)
    before = todo(client)
    few = statements_of(app, lambda: client.get("/"))

    _grow(app, "10250", 80)

    after = todo(client)
    many = statements_of(app, lambda: client.get("/"))
    assert after["changed"]["count"] == before["changed"]["count"] + 80
    if "awaiting" in before:
        assert after["awaiting"]["count"] == before["awaiting"]["count"] + 80
    assert len(many) == len(few), (few, many)
