"""The set-based recompute (app.services.recompute) agrees with the domain functions
(domain.follow_up.category_of, domain.due_dates.next_due) on the demo data and on generated cases,
writes only what differs, touches only the employees holding the given risks, commits batch by
batch, and never bumps an employee's version (an open form stays valid)."""

from datetime import date, datetime, timedelta
from itertools import count

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from app import clock
from app.domain.due_dates import FollowUpFacts, VisitDone, VisitKind, next_due
from app.domain.follow_up import FollowUp, category_of
from app.extensions import db
from app.models.employee import Contract, Employee, EmployeeRisk, Sex
from app.models.member import Member
from app.models.reference import ExamType
from app.models.risk import Risk, RiskCategory
from app.models.visit import Visit, VisitOutcome
from app.services import employees, recompute
from tests.views.test_employees import form_values, logged_in

EMPLOYEE = Employee.__table__
DAYS = [
    date(2024, 1, 31),
    date(2024, 2, 29),
    date(2024, 11, 30),
    date(2025, 1, 31),
    date(2025, 9, 30),
    date(2025, 10, 1),
    date(2025, 11, 30),
    date(2026, 2, 28),
    date(2026, 12, 31),
]
OTHER_EXAM = "HORS_SUIVI"  # an exam type the periodic follow-up ignores
_codes = count(1)


# --- the reference: the domain functions over the ORM objects -------------------------------------


def expected_category(employee: Employee, day: date) -> FollowUp:
    return category_of(
        [link.risk.code for link in employee.risks], employees.category_periods(), day
    )


def expected_due(employee: Employee):
    codes = {link.risk.code for link in employee.risks}
    rows = db.session.execute(
        select(Visit.visit_on, ExamType.code, Visit.next_due_on)
        .join(ExamType, ExamType.id == Visit.exam_type_id)
        .where(Visit.employee_id == employee.id, Visit.outcome == VisitOutcome.SEEN)
    )
    kinds = {kind.value for kind in VisitKind}
    visits = tuple(VisitDone(on, VisitKind(code), due) for on, code, due in rows if code in kinds)
    facts = FollowUpFacts(
        category=employee.category,
        post_entry_on=employee.post_entry_on,
        apprentice=employee.contract is Contract.APPRENTICESHIP,
        night_worker="NUIT" in codes,
        birth_date=employee.birth_date,
        radiation_category_a="RI_A" in codes,
        visits=visits,
    )
    return next_due(facts)


def all_employees() -> list[Employee]:
    db.session.expire_all()
    return db.session.scalars(select(Employee).order_by(Employee.id)).all()


def versions() -> dict[int, int]:
    return dict(db.session.execute(select(EMPLOYEE.c.id, EMPLOYEE.c.version)).tuples().all())


def risk_id(code: str) -> int:
    return db.session.scalar(select(Risk.id).where(Risk.code == code))


# --- the demo data --------------------------------------------------------------------------------


def test_categories_agree_with_the_domain_on_the_demo_data_for_each_day(app):
    with app.app_context():
        before = versions()
        changes = {}
        for day in DAYS:
            changes[day] = recompute.categories(day, batch=7)
            stored = all_employees()
            assert all(e.category is expected_category(e, day) for e in stored), day
            moved = [e for e in stored if e.category_changed_on == day]
            assert len(moved) == changes[day]
            assert all(e.category_on == day and e.previous_category != e.category for e in moved)
            assert recompute.categories(day) == 0  # a second run has nothing to change
        # The decree of 1 October 2025 moved the drivers and electricians out of SIR.
        assert changes[date(2025, 10, 1)] > 0
        assert versions() == before


def test_due_dates_agree_with_the_domain_on_the_demo_data(app):
    with app.app_context():
        before = versions()
        db.session.execute(update(EMPLOYEE).values(next_due_on=None, next_due_reason=None))
        db.session.commit()
        total = len(before)

        assert recompute.due_dates(batch=9) == total
        for employee in all_employees():
            due = expected_due(employee)
            assert (employee.next_due_on, employee.next_due_reason) == (due.on, due.reason.value)
        assert recompute.due_dates() == 0
        assert versions() == before


def test_a_category_change_refreshes_the_due_dates_of_the_employees_it_moves(app):
    with app.app_context():
        recompute.categories(date(2025, 9, 30))
        recompute.due_dates()
        drivers = {e.id for e in all_employees() if "CONDUITE_CHARIOT" in codes_of(e)}
        due_before = {e.id: e.next_due_reason for e in all_employees() if e.id in drivers}

        changed = recompute.categories(date(2025, 10, 1), [risk_id("CONDUITE_CHARIOT")])

        moved = [e for e in all_employees() if e.id in drivers and e.previous_category]
        assert changed == len(moved) > 0
        for employee in moved:
            assert employee.category is not FollowUp.SIR
            due = expected_due(employee)
            assert (employee.next_due_on, employee.next_due_reason) == (due.on, due.reason.value)
        assert any(due_before[e.id] != e.next_due_reason for e in moved)


def codes_of(employee: Employee) -> set[str]:
    return {link.risk.code for link in employee.risks}


# --- scope, batches, versions ---------------------------------------------------------------------


def test_only_the_holders_of_the_given_risks_are_touched(app):
    with app.app_context():
        today = clock.today()
        recompute.categories(today)
        night = risk_id("NUIT")
        holders = {e.id for e in all_employees() if "NUIT" in codes_of(e)}
        others = [e for e in all_employees() if e.id not in holders]
        assert holders and others
        # A catalogue edit: night work becomes SIR. And a stored category gone wrong on an
        # employee without night work, which a recompute of the night workers must not touch.
        db.session.execute(
            update(RiskCategory).where(RiskCategory.risk_id == night).values(category="SIR")
        )
        bystander = others[0]
        wrong = FollowUp.SIR if bystander.category is not FollowUp.SIR else FollowUp.SI
        db.session.execute(
            update(EMPLOYEE).where(EMPLOYEE.c.id == bystander.id).values(category=wrong.name)
        )
        db.session.commit()

        changed = recompute.categories(today, [night])

        stored = {e.id: e for e in all_employees()}
        assert changed == sum(1 for i in holders if stored[i].category_changed_on == today)
        assert changed > 0
        assert all(stored[i].category is FollowUp.SIR for i in holders)
        assert stored[bystander.id].category is wrong
        assert recompute.categories(today, [night]) == 0
        assert recompute.categories(today, []) == 0


def test_each_batch_is_committed_and_progress_is_reported(app):
    with app.app_context():
        db.session.execute(update(EMPLOYEE).values(next_due_on=None, next_due_reason=None))
        db.session.commit()
        total = len(versions())
        seen = []

        def progress(done, of):
            # Another connection sees the batches done so far: each was committed.
            with db.engine.connect() as other:
                filled = other.scalar(
                    select(func.count()).where(EMPLOYEE.c.next_due_on.is_not(None))
                )
            seen.append((done, of, filled))

        assert recompute.due_dates(batch=10, progress=progress) == total
        assert [done for done, _, _ in seen] == [min(n, total) for n in range(10, total + 10, 10)]
        assert all(of == total and filled == done for done, of, filled in seen)


def test_an_open_employee_form_stays_valid_after_a_recompute_that_changes_its_category(app):
    with app.app_context():
        night = risk_id("NUIT")
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        employee = db.session.scalar(
            select(Employee)
            .join(EmployeeRisk)
            .where(EmployeeRisk.risk_id == night, Employee.member_id == member_id)
            .limit(1)
        )
        employee_id, version, category = employee.id, employee.version, employee.category
    client = logged_in(app, "ets10250")
    form = form_values(client.get(f"/employees/{employee_id}").text)
    assert form["version"] == str(version)

    with app.app_context():
        db.session.execute(
            update(RiskCategory).where(RiskCategory.risk_id == night).values(category="SIR")
        )
        db.session.commit()
        assert recompute.categories(clock.today(), [night]) > 0
        stored = db.session.get(Employee, employee_id)
        assert stored.category is FollowUp.SIR and stored.category is not category
        assert stored.version == version

    saved = client.post(f"/employees/{employee_id}", data={**form, "first_name": "Gaspard"})

    assert saved.status_code == 302
    with app.app_context():
        stored = db.session.get(Employee, employee_id)
        assert stored.first_name == "Gaspard" and stored.version == version + 1


def test_a_due_date_write_skips_a_row_saved_meanwhile(app, monkeypatch):
    """The due date is computed from a read, then written guarded by the version read: a user's
    save in between (which computed its own due date) wins."""
    with app.app_context():
        target = all_employees()[0]
        db.session.execute(update(EMPLOYEE).values(next_due_on=None, next_due_reason=None))
        db.session.commit()
        visits_done = recompute._visits

        def save_in_between(ids):
            with db.engine.begin() as other:
                other.execute(
                    update(EMPLOYEE)
                    .where(EMPLOYEE.c.id == target.id)
                    .values(version=EMPLOYEE.c.version + 1, next_due_on=date(2031, 1, 1))
                )
            return visits_done(ids)

        monkeypatch.setattr(recompute, "_visits", save_in_between)
        total = len(versions())
        assert recompute.due_dates(batch=total) == total - 1
        db.session.expire_all()
        assert db.session.get(Employee, target.id).next_due_on == date(2031, 1, 1)


# --- generated cases ------------------------------------------------------------------------------

month_ends = st.sampled_from(
    [date(2024, 1, 31), date(2024, 2, 29), date(2023, 11, 30), date(2025, 1, 31),
     date(2025, 8, 31), date(2024, 11, 30), date(2023, 12, 31), date(2025, 2, 28)]
)  # fmt: skip
dates = st.one_of(month_ends, st.dates(date(2018, 1, 1), date(2027, 12, 31)))
categories_ = st.sampled_from(list(FollowUp))
# Period bounds on, just before or just after the days recomputed: the inclusive ends count.
bounds = st.one_of(
    st.sampled_from([d + timedelta(days=shift) for d in DAYS for shift in (-1, 0, 1)]), dates
)
periods = st.lists(
    st.tuples(categories_, st.none() | bounds, st.none() | bounds),
    max_size=3,
    unique_by=lambda p: p[1],
)
visits = st.lists(
    st.tuples(
        st.sampled_from([kind.value for kind in VisitKind] + [OTHER_EXAM]),
        dates,
        st.sampled_from(list(VisitOutcome)),
        st.none() | dates,
    ),
    max_size=4,
)
people = st.lists(
    st.fixed_dictionaries(
        {
            "risks": st.sets(
                st.integers(0, 5), max_size=3
            ),  # 0-2 generated, 3 NUIT, 4 RI_A, 5 AMIANTE
            "post_entry_on": dates,
            "age_at_entry": st.integers(15, 60),
            "apprentice": st.booleans(),
            "stored": categories_,
            "stored_due": st.none() | dates,
            "visits": visits,
        }
    ),
    min_size=1,
    max_size=5,
)


def _person(risks, stored, entry=date(2024, 11, 30), visits=(), **flags) -> dict:
    return {"risks": set(risks), "post_entry_on": entry, "age_at_entry": 30, "apprentice": False,
            "stored": stored, "stored_due": None, "visits": list(visits), **flags}  # fmt: skip


DECREE = date(2025, 10, 1)
EDGE_CASES = [
    # The periods' ends are inclusive: SIR until the day itself, SIA from the day itself.
    (
        [[(FollowUp.SIR, None, DECREE)], [(FollowUp.SIA, DECREE, None)]],
        [_person({0}, FollowUp.SI), _person({1}, FollowUp.SI), _person({0, 1}, FollowUp.SIA)],
        DECREE,
    ),
    # Month ends: an EMA on 29 Feb (+ 2 years: 28 Feb), a VIP on 31 Jan, a start on 30 Nov.
    (
        [[(FollowUp.SIR, None, None)]],
        [
            _person(
                {0}, FollowUp.SI, visits=[("EMA_PER", date(2024, 2, 29), VisitOutcome.SEEN, None)]
            ),
            _person(
                set(),
                FollowUp.SIR,
                visits=[("VIP_PER", date(2025, 1, 31), VisitOutcome.SEEN, None)],
            ),
            _person({3}, FollowUp.SIR, apprentice=True),
        ],
        date(2026, 2, 28),
    ),
]


def _add_case(risk_specs, people_specs, template: Employee) -> list[int]:
    risks = []
    for specs in risk_specs:
        risk = Risk(code=f"GEN{next(_codes)}", label="generated")
        risk.categories = [
            RiskCategory(category=c, valid_from=f, valid_until=u) for c, f, u in specs
        ]
        db.session.add(risk)
        risks.append(risk)
    db.session.flush()
    catalogue = dict(enumerate(r.id for r in risks))
    catalogue.update({3: risk_id("NUIT"), 4: risk_id("RI_A"), 5: risk_id("AMIANTE")})
    exams = dict(db.session.execute(select(ExamType.code, ExamType.id)).tuples().all())
    now = datetime(2026, 1, 1)
    ids = []
    for spec in people_specs:
        entry = spec["post_entry_on"]
        employee = Employee(
            member_id=template.member_id,
            last_name="GENERE",
            first_name="Cas",
            sex=Sex.F,
            birth_date=date(entry.year - spec["age_at_entry"], 6, 15),
            work_post_id=template.work_post_id,
            establishment_id=template.establishment_id,
            hired_on=entry,
            post_entry_on=entry,
            contract=Contract.APPRENTICESHIP if spec["apprentice"] else Contract.CDI,
            category=spec["stored"],
            category_on=entry,
            next_due_on=spec["stored_due"],
            next_due_reason="first_vip" if spec["stored_due"] else None,
            created_at=now,
            updated_at=now,
        )
        employee.risks = [
            EmployeeRisk(member_id=template.member_id, risk_id=catalogue[i])
            for i in sorted(spec["risks"])
            if i in catalogue
        ]
        db.session.add(employee)
        db.session.flush()
        for code, on, outcome, due in spec["visits"]:
            db.session.add(
                Visit(
                    member_id=template.member_id,
                    employee_id=employee.id,
                    exam_type_id=exams[code],
                    visit_on=on,
                    outcome=outcome,
                    next_due_on=due,
                    recorded_at=now,
                )
            )
        ids.append(employee.id)
    db.session.commit()
    return ids


def _remove_case(ids: list[int]) -> None:
    db.session.rollback()
    db.session.execute(delete(Visit).where(Visit.employee_id.in_(ids)))
    db.session.execute(delete(EmployeeRisk).where(EmployeeRisk.employee_id.in_(ids)))
    db.session.execute(delete(Employee).where(Employee.id.in_(ids)))
    generated = select(Risk.id).where(Risk.code.like("GEN%")).scalar_subquery()
    db.session.execute(delete(RiskCategory).where(RiskCategory.risk_id.in_(generated)))
    db.session.execute(delete(Risk).where(Risk.code.like("GEN%")))
    db.session.commit()
    db.session.expire_all()


def test_generated_cases_agree_with_the_domain(app):
    with app.app_context():
        template = all_employees()[0]
        if not db.session.scalar(select(ExamType.id).where(ExamType.code == OTHER_EXAM)):
            db.session.add(ExamType(code=OTHER_EXAM, label="Hors suivi périodique"))
            db.session.commit()

        @settings(
            max_examples=60,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.lists(periods, max_size=3), people, st.sampled_from(DAYS))
        @example(*EDGE_CASES[0])
        @example(*EDGE_CASES[1])
        def check(risk_specs, people_specs, day):
            ids = _add_case(risk_specs, people_specs, template)
            try:
                _check_case(ids, people_specs, day)
            finally:
                _remove_case(ids)

        check()


def _check_case(ids: list[int], people_specs, day: date) -> None:
    before = versions()
    recompute.categories(day)
    stored = {e.id: e for e in all_employees() if e.id in ids}
    for employee_id, spec in zip(ids, people_specs, strict=True):
        employee = stored[employee_id]
        assert employee.category is expected_category(employee, day)
        if employee.category is spec["stored"]:
            assert employee.category_changed_on is None
        else:
            assert employee.previous_category is spec["stored"]
            assert employee.category_changed_on == employee.category_on == day
            due = expected_due(employee)  # the due dates of those that moved follow at once
            assert (employee.next_due_on, employee.next_due_reason) == (due.on, due.reason.value)
    recompute.due_dates(ids)
    for employee in all_employees():
        if employee.id in ids:
            due = expected_due(employee)
            assert (employee.next_due_on, employee.next_due_reason) == (due.on, due.reason.value)
    assert recompute.categories(day) == 0
    assert recompute.due_dates(ids) == 0
    assert versions() == before


# --- the commands ---------------------------------------------------------------------------------


def _invoke(app, *args):
    with app.app_context():  # plain click commands: the caller gives the app context
        return app.test_cli_runner().invoke(args=list(args))


def test_the_commands_recompute_the_holders_of_a_risk_and_refuse_an_unknown_one(app):
    assert _invoke(app, "recompute-categories", "--on", "2025-09-30").exit_code == 0

    result = _invoke(
        app, "recompute-categories", "--on", "2025-10-01", "--risk", "CONDUITE_CHARIOT"
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        drivers = [e for e in all_employees() if "CONDUITE_CHARIOT" in codes_of(e)]
        moved = [e for e in drivers if e.category_changed_on == date(2025, 10, 1)]
        assert moved and f"categories recomputed: {len(moved)} employees" in result.output
    unknown = _invoke(app, "recompute-categories", "--risk", "NO_SUCH_RISK")
    assert unknown.exit_code == 2 and "NO_SUCH_RISK" in unknown.output
    assert _invoke(app, "refresh-due-dates").exit_code == 0
    again = _invoke(app, "refresh-due-dates", "--batch", "50")
    assert again.exit_code == 0 and "due dates refreshed: 0 employees changed" in again.output
