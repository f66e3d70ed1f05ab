"""The DUERP question at login and its answers (issue 10; manual, "Déposer votre DUERP"; rule in
app.domain.duerp): whether to ask the member now, and keeping every answer (who, when, what) for
the service's follow-up."""

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app import clock
from app.domain import duerp
from app.extensions import db
from app.models.document import DuerpAnswer
from app.models.employee import Employee
from app.models.member import Member
from app.services import ServiceError
from app.services.documents import last_duerp_deposit
from app.services.employee_list import in_workforce


def recent_months() -> int:
    return current_app.config["DUERP_RECENT_MONTHS"]


def facts(member_id: int, today: date) -> duerp.DuerpFacts:
    deposit = last_duerp_deposit(member_id)
    last_no = db.session.scalar(
        select(func.max(DuerpAnswer.answered_at)).where(
            DuerpAnswer.member_id == member_id, DuerpAnswer.has_duerp.is_(False)
        )
    )
    headcount = db.session.scalar(
        select(func.count(Employee.id)).where(Employee.member_id == member_id, in_workforce(today))
    )
    return duerp.DuerpFacts(
        last_deposit_on=deposit.date() if deposit else None,
        last_no_on=last_no.date() if last_no else None,
        headcount=headcount or 0,
    )


def should_ask(member_id: int) -> bool:
    today = clock.today()
    return duerp.should_ask(facts(member_id, today), today, recent_months())


def record_answer(
    member: Member,
    user,
    has_duerp: bool | None,
    updated_on: date | None = None,
    has_action_plan: bool | None = None,
) -> DuerpAnswer:
    """Keep the answer: "Oui" with its date of last update (not in the future) and whether the
    DUERP has an action plan; "Non"; or None for "Plus tard"."""
    if has_duerp:
        error = duerp.check_updated_on(updated_on, clock.today())
        if error:
            raise ServiceError(error)
        if has_action_plan is None:
            raise ServiceError("duerp_action_plan_missing")
    else:
        updated_on = has_action_plan = None
    answer = DuerpAnswer(
        member_id=member.id,
        answered_at=clock.now(),
        user_id=getattr(user, "id", None),
        has_duerp=has_duerp,
        updated_on=updated_on,
        has_action_plan=has_action_plan,
    )
    db.session.add(answer)
    db.session.flush()
    return answer
