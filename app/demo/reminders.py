"""Demo of the NCI reminder (issue 12): two drivers of 10251 TRANSPORTS DEMO hold an attestation de
non contre-indication, one dated 4 years and 10 months ago (it ends within 3 months), the other
5 years and 1 month ago (ended last month), so that the report "Attestations de non
contre-indication to renew" and `flask send-reminders --nci` show something. Loaded once (skipped
when 10251 has an NCI visit)."""

from sqlalchemy import select

from app import clock
from app.domain.notifications import add_months
from app.extensions import db
from app.models.employee import Employee, WorkPost
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome
from app.services import due_dates

NUMBER = "10251"
MONTHS_AGO = (58, 61)  # NCI visits: ending within 3 months, and ended a month ago
POSTS = ("Conducteur routier", "Magasinier")  # driving: the attestation's usual reason


def load() -> None:
    member = db.session.scalar(select(Member).where(Member.number == NUMBER))
    exam_id = db.session.scalar(select(ExamType.id).where(ExamType.code == "NCI"))
    if member is None or exam_id is None:
        return
    if db.session.scalar(
        select(Visit.id).where(Visit.member_id == member.id, Visit.exam_type_id == exam_id)
    ):
        return
    today = clock.today()
    days = [add_months(today, -months) for months in MONTHS_AGO]
    drivers = db.session.scalars(
        select(Employee)
        .join(WorkPost, WorkPost.id == Employee.work_post_id)
        .where(Employee.member_id == member.id, Employee.contract_end_on.is_(None))
        .where(WorkPost.designation.in_(POSTS))
        .where(Employee.hired_on < min(days))
        .order_by(WorkPost.designation, Employee.id)
        .limit(len(days))
    ).all()
    for employee, visit_on in zip(drivers, days, strict=False):
        db.session.add(
            Visit(
                member_id=member.id,
                employee_id=employee.id,
                exam_type_id=exam_id,
                visit_on=visit_on,
                outcome=VisitOutcome.SEEN,
                conclusion=Conclusion.NO_CONTRAINDICATION,
                recorded_at=clock.now(),
            )
        )
        employee.last_exam_on = max(employee.last_exam_on or visit_on, visit_on)
    db.session.flush()
    due_dates.refresh(list(drivers))
