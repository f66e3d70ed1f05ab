"""The lists' name filters ignore case and accents (issue 9: "jerome" finds "Jérôme")."""

from sqlalchemy import select

from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member


def test_the_employee_list_and_the_workforce_report_find_jerome_without_accents(app, member):
    with app.app_context():
        jeromes = db.session.scalars(
            select(Employee.id)
            .join(Member)
            .where(Member.number == "10250", Employee.first_name == "Jérôme")
        ).all()
    assert jeromes, "the demo workforce of 10250 has a Jérôme"
    listing = member.get("/employees/", query_string={"f_first_name": "jerome", "size": 100})
    assert listing.status_code == 200 and "Jérôme" in listing.text
    report = member.get("/reports/workforce", query_string={"f_name": "JEROME", "size": 100})
    assert report.status_code == 200 and "Jérôme" in report.text
