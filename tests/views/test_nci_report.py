"""The portal's list of the attestations de non contre-indication (NCI) ending soon or ended
(issue 12; the NCI reminder's link): its rows (name, establishment, post, attestation date, end),
the earliest end first, pages; the "Rapports" right; one member never sees another's rows; and a
page costs the same statements whatever its rows.

Demo: two drivers of 10251 hold an NCI, one ending within 3 months, one ended a month ago."""

from lxml import html as lxml_html
from sqlalchemy import select

from app import clock
from app.domain.notifications import add_months
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome
from app.services.employee_list import in_workforce
from tests.views.test_employees import logged_in
from tests.views.test_same_work import statements_of

PAGE = "/reports/nci"


def rows_of(page: str) -> list[dict]:
    tree = lxml_html.fromstring(page)
    return [
        {
            "visit": int(tr.get("data-visit")),
            "classes": (tr.get("class") or "").split(),
            **{td.get("class"): " ".join(td.text_content().split()) for td in tr.xpath("./td")},
        }
        for tr in tree.xpath("//tr[@data-visit]")
    ]


def _visits_of(number: str) -> set[int]:
    return set(
        db.session.scalars(
            select(Visit.id)
            .join(Member, Member.id == Visit.member_id)
            .join(ExamType, ExamType.id == Visit.exam_type_id)
            .where(Member.number == number, ExamType.code == "NCI")
        )
    )


def _add_nci(app, number: str, count: int, months_ago: int = 59) -> set[int]:
    """NCI visits `months_ago` for `count` employees of the member in the workforce."""
    with app.app_context():
        exam_id = db.session.scalar(select(ExamType.id).where(ExamType.code == "NCI"))
        staff = db.session.scalars(
            select(Employee)
            .join(Member, Member.id == Employee.member_id)
            .where(Member.number == number, in_workforce(clock.today()))
            .order_by(Employee.id)
            .limit(count)
        ).all()
        visits = [
            Visit(
                member_id=e.member_id,
                employee_id=e.id,
                exam_type_id=exam_id,
                visit_on=add_months(clock.today(), -months_ago),
                outcome=VisitOutcome.SEEN,
                conclusion=Conclusion.NO_CONTRAINDICATION,
                recorded_at=clock.now(),
            )
            for e in staff
        ]
        db.session.add_all(visits)
        db.session.commit()
        return {visit.id for visit in visits}


def test_the_page_lists_the_attestations_ending_the_earliest_first(app):
    client = logged_in(app, "ets10251")
    index = client.get("/reports/").get_data(as_text=True)
    assert f'href="{PAGE}"' in index
    response = client.get(PAGE)
    assert response.status_code == 200
    rows = rows_of(response.get_data(as_text=True))
    with app.app_context():
        assert {row["visit"] for row in rows} == _visits_of("10251")
        visits = {
            v.id: v
            for v in db.session.scalars(select(Visit).where(Visit.id.in_(_visits_of("10251"))))
        }
        employees = {v.id: db.session.get(Employee, v.employee_id) for v in visits.values()}
        expected = {
            visit_id: (
                f"{e.last_name} {e.first_name}",
                e.establishment.name,
                e.work_post.designation,
            )
            for visit_id, e in employees.items()
        }
    ended, ending = rows
    assert "danger" in ended["classes"] and "Échue" in ended["expires_on"]
    assert "danger" not in ending["classes"] and "Bientôt échue" in ending["expires_on"]
    for row in rows:
        name, establishment, post = expected[row["visit"]]
        assert (row["name"], row["establishment"], row["post"]) == (name, establishment, post)
        visit_on = visits[row["visit"]].visit_on
        assert row["visit_on"] == visit_on.strftime("%d/%m/%Y")
        assert row["expires_on"].startswith(add_months(visit_on, 60).strftime("%d/%m/%Y"))


def test_a_member_never_sees_another_members_attestations(app):
    mine = _add_nci(app, "10250", 3)
    theirs = rows_of(logged_in(app, "ets10251").get(PAGE).get_data(as_text=True))
    with app.app_context():
        assert {row["visit"] for row in theirs} == _visits_of("10251")
    own = rows_of(logged_in(app, "ets10250").get(PAGE).get_data(as_text=True))
    assert {row["visit"] for row in own} == mine


def test_pages_of_the_list(app):
    added = _add_nci(app, "10250", 12)
    client = logged_in(app, "ets10250")
    first = rows_of(client.get(PAGE, query_string={"size": 10}).get_data(as_text=True))
    second = client.get(PAGE, query_string={"size": 10, "page": 2}).get_data(as_text=True)
    assert len(first) == 10 and len(rows_of(second)) == 2
    assert {r["visit"] for r in first} | {r["visit"] for r in rows_of(second)} == added
    assert client.get(PAGE, query_string={"page": "x", "size": "-1"}).status_code == 200


def test_a_collaborator_without_the_reports_right_is_refused(app):
    assert logged_in(app, "ets10250.2").get(PAGE).status_code == 403
    assert logged_in(app, "gestion").get(PAGE).status_code in {403, 404}


def test_the_statements_of_a_page_do_not_grow_with_its_rows(app):
    client = logged_in(app, "ets10250")
    _add_nci(app, "10250", 1)

    def show():
        assert client.get(PAGE).status_code == 200

    few = statements_of(app, show)
    _add_nci(app, "10250", 20, months_ago=58)
    many = statements_of(app, show)
    assert len(rows_of(client.get(PAGE).get_data(as_text=True))) == 20
    assert many == few
