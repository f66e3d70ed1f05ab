"""The DUERP follow-up's SQL (app.services.duerp_followup) says "to remind" exactly where the
domain's rule does (app.domain.duerp.is_overdue): a deposit on the day the recent period starts,
the day before, the day after; and the answer filters follow the latest answer only."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select

from app import clock
from app.demo.documents import pdf
from app.domain.due_dates import add_months
from app.extensions import db
from app.models.document import DUERP_CLASS, Document
from app.models.member import Member
from app.models.reference import DocumentClass
from app.services import documents, duerp, duerp_followup

MONTHS = 12


def _member() -> Member:
    return db.session.scalar(select(Member).where(Member.number == "10250"))


def _deposit_at(at: datetime) -> None:
    """The member's only DUERP version (the demo may deposit others: removed first)."""
    amt = db.session.scalar(select(DocumentClass.id).where(DocumentClass.code == DUERP_CLASS))
    db.session.execute(
        delete(Document).where(Document.member_id == _member().id, Document.class_id == amt)
    )
    document = documents.deposit(
        _member(), documents.Upload("d.pdf", pdf("DUERP")), documents.Details(amt, "DUERP"), None
    )
    document.sent_at = at
    db.session.flush()


def _listed(filters: duerp_followup.Filters, today: date) -> dict[str, duerp_followup.Row]:
    return {r.number: r for r in duerp_followup.all_rows(filters, today, MONTHS)}


@pytest.mark.parametrize("shift, overdue", [(-1, True), (0, True), (1, False)])
def test_the_sql_filter_and_the_domain_agree_at_the_boundary(app, shift, overdue):
    today = clock.today()
    start = add_months(today, -MONTHS)  # a deposit that day is no longer recent (domain)
    with app.app_context():
        _deposit_at(datetime.combine(start + timedelta(days=shift), time(23, 59)))
        row = _listed(duerp_followup.Filters(query="10250"), today)["10250"]
        flagged = "10250" in _listed(duerp_followup.Filters(overdue=True), today)
        db.session.rollback()
    assert row.overdue is overdue
    assert flagged is overdue


def test_the_answer_filters_follow_the_latest_answer_only(app):
    today = clock.today()
    with app.app_context():
        member = _member()
        duerp.record_answer(member, None, True, today, True)
        duerp.record_answer(member, None, None)  # "Plus tard" afterwards
        found = {
            answer: "10250" in _listed(duerp_followup.Filters(answer=answer), today)
            for answer in duerp_followup.ANSWERS
        }
        db.session.rollback()
    assert found == {"yes": False, "no": False, "later": True, "never": False}


def test_filters_from_the_url_ignore_unknown_values():
    filters = duerp_followup.Filters.from_args({"answer": "maybe", "overdue": "yes", "q": " 102 "})
    assert filters == duerp_followup.Filters(overdue=False, answer="", query="102")
