"""Benchmark of the set-based recompute (issue 13, "Set-based recompute"; app.services.recompute).

On the synthetic data set (`flask --app run bench-data`: 20,000 members, 300,000 employees),
which has no declared risks nor visits, the script first adds (once, not timed): a bench risk
BENCH_RECALC declared for three employees in ten (~90,000), night work and asbestos for a few
more, and a visit done for three in five (VIP or EMA, month-end dates). Then, timed:

- a catalogue change touching ~90,000 employees: BENCH_RECALC goes from SI to SIR and
  `recompute.categories(today, [its id])` moves its holders and refreshes their due dates
  (target < 15 s on PostgreSQL), then the same again with nothing to change (target < 2 s);
- the full category recompute with nothing to change (every employee);
- the full due-date refresh when every due date changed (they are blanked first, not timed),
  then again with nothing to change;
- the employees' versions before and after (a recompute must bump none).

`--legacy` also times the code this replaces (one ORM pass per employee, one UPDATE per row and
a version bump each; kept below only for the comparison) on the same changes. Without it the
"before" figures are the issue's (PostgreSQL 15, 300,000 employees). Exit status 1 when a target
is missed.

    .venv/bin/python -m bench.recompute --database-url postgresql://postgres@127.0.0.1:5432/h1_bench
"""

import argparse
import sys
import time
from datetime import date, datetime

from sqlalchemy import func, insert, literal, select, text, update

from app import clock, create_app
from app.domain.follow_up import FollowUp, category_of
from app.extensions import db
from app.models.employee import Employee, EmployeeRisk
from app.models.reference import ExamType
from app.models.risk import Risk, RiskCategory
from app.models.visit import Visit
from app.services import due_dates as due_service
from app.services import employees as employee_service
from app.services import recompute
from config import database_url

BENCH_RISK = "BENCH_RECALC"
CHANGE_TARGET = 15.0  # seconds, 90,000 employees changed, PostgreSQL, 2 cores
NOTHING_TARGET = 2.0  # seconds, nothing to change
ISSUE_FIGURES = {
    "categories changed (all 300,000 recomputed)": "162 s",
    "categories, nothing to change": "62-73 s",
    "due dates, all changed": "125 s",
    "due dates, nothing to change": "57 s",
}
EMPLOYEE = Employee.__table__
VISITS = (  # employee id modulo 5 -> (exam type, date)
    (0, "VIP_PER", date(2024, 1, 31)),
    (1, "VIP_EMB", date(2023, 11, 30)),
    (2, "EMA_PER", date(2024, 2, 29)),
)


def prepare() -> int:
    """The bench risk and its holders, a few other risks and visits (once); returns its id."""
    risk_id = db.session.scalar(select(Risk.id).where(Risk.code == BENCH_RISK))
    if risk_id:
        return risk_id
    risk = Risk(code=BENCH_RISK, label="Risque du banc d'essai")
    risk.categories = [RiskCategory(category=FollowUp.SI)]
    db.session.add(risk)
    db.session.flush()
    codes = dict(db.session.execute(select(Risk.code, Risk.id)).tuples().all())
    for risk_id, where in (
        (risk.id, EMPLOYEE.c.id % 10 < 3),
        (codes["NUIT"], EMPLOYEE.c.id % 17 == 0),
        (codes["AMIANTE"], EMPLOYEE.c.id % 23 == 0),
    ):
        _declare(risk_id, where)
    exams = dict(db.session.execute(select(ExamType.code, ExamType.id)).tuples().all())
    for rest, code, day in VISITS:
        _visit(exams[code], day, EMPLOYEE.c.id % 5 == rest)
    db.session.commit()
    for table in ("employee_risk", "visit", "employee"):  # the planner's statistics
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
    return risk.id


def _declare(risk_id: int, where) -> None:
    table = EmployeeRisk.__table__
    rows = select(EMPLOYEE.c.member_id, EMPLOYEE.c.id, literal(risk_id)).where(where)
    db.session.execute(
        insert(table).from_select([table.c.member_id, table.c.employee_id, table.c.risk_id], rows)
    )


def _visit(exam_type_id: int, day: date, where) -> None:
    table = Visit.__table__
    columns = ["member_id", "employee_id", "exam_type_id", "visit_on", "outcome", "recorded_at"]
    rows = select(
        EMPLOYEE.c.member_id,
        EMPLOYEE.c.id,
        literal(exam_type_id),
        literal(day),
        literal("SEEN"),
        literal(datetime(2024, 3, 1)),
    ).where(where)
    db.session.execute(insert(table).from_select([table.c[name] for name in columns], rows))


def set_category(risk_id: int, category: FollowUp) -> None:
    db.session.execute(
        update(RiskCategory).where(RiskCategory.risk_id == risk_id).values(category=category)
    )
    db.session.commit()


def version_sum() -> int:
    return db.session.scalar(select(func.sum(EMPLOYEE.c.version)))


def vacuum() -> None:
    """What autovacuum would do between two big runs (it is off on the bench machine's server:
    without it the dead rows of the previous step slow the next one down)."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE employee"))


def timed(label: str, run) -> tuple[float, int]:
    vacuum()
    start = time.perf_counter()
    count = run()
    elapsed = time.perf_counter() - start
    print(f"  {label:<48} {elapsed:7.2f} s  ({count} changed)")
    return elapsed, count


# --- the code this replaces, for --legacy only (one ORM pass per employee) ------------------------


def legacy_recompute(day: date, batch: int = 2000) -> int:
    periods = employee_service.category_periods()
    changed, last_id = 0, 0
    while True:
        rows = db.session.scalars(
            select(Employee).where(Employee.id > last_id).order_by(Employee.id).limit(batch)
        ).all()
        if not rows:
            db.session.commit()
            return changed
        codes = due_service.risk_codes([e.id for e in rows])
        for employee in rows:
            category = category_of(codes.get(employee.id, set()), periods, day)
            if category != employee.category:
                employee.previous_category, employee.category = employee.category, category
                employee.category_changed_on = employee.category_on = day
                changed += 1
        db.session.flush()
        due_service.refresh(rows)
        last_id = rows[-1].id


def legacy_refresh_all(batch: int = 2000) -> int:
    last_id, count = 0, 0
    while True:
        rows = db.session.scalars(
            select(Employee).where(Employee.id > last_id).order_by(Employee.id).limit(batch)
        ).all()
        if not rows:
            db.session.commit()
            return count
        due_service.refresh(rows)
        count += len(rows)
        last_id = rows[-1].id
        db.session.expunge_all()


# --- the runs -------------------------------------------------------------------------------------


def after(risk_id: int, batch: int) -> dict[str, float]:
    today = clock.today()
    results = {}
    set_category(risk_id, FollowUp.SI)
    timed("steady state: full category recompute", lambda: recompute.categories(today))
    timed("steady state: full due-date refresh", lambda: recompute.due_dates())
    versions = version_sum()
    set_category(risk_id, FollowUp.SIR)
    results["change"], changed = timed(
        "catalogue change (categories + due dates)",
        lambda: recompute.categories(today, [risk_id], batch=batch),
    )
    results["change_again"], _ = timed(
        "the same again, nothing to change",
        lambda: recompute.categories(today, [risk_id], batch=batch),
    )
    results["full_nothing"], _ = timed(
        "full category recompute, nothing to change",
        lambda: recompute.categories(today, batch=batch),
    )
    db.session.execute(update(EMPLOYEE).values(next_due_on=None, next_due_reason=None))
    db.session.commit()
    results["due_all"], _ = timed(
        "full due-date refresh, all changed", lambda: recompute.due_dates(batch=batch)
    )
    results["due_nothing"], _ = timed(
        "full due-date refresh, nothing to change", lambda: recompute.due_dates(batch=batch)
    )
    print(f"  versions bumped: {version_sum() - versions}; holders changed: {changed}")
    set_category(risk_id, FollowUp.SI)
    recompute.categories(today, [risk_id], batch=batch)  # back to the start, not timed
    return results


def legacy(risk_id: int) -> None:
    today = clock.today()
    set_category(risk_id, FollowUp.SIR)
    timed("legacy: catalogue change (all recomputed)", lambda: legacy_recompute(today))
    timed("legacy: again, nothing to change", lambda: legacy_recompute(today))
    db.session.execute(update(EMPLOYEE).values(next_due_on=None, next_due_reason=None))
    db.session.commit()
    timed("legacy: due-date refresh, all changed", legacy_refresh_all)
    timed("legacy: due-date refresh, nothing to change", legacy_refresh_all)
    set_category(risk_id, FollowUp.SI)
    recompute.categories(today, [risk_id])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="Default: DATABASE_URL.")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--legacy", action="store_true", help="Also time the former code.")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(args.database_url)})
    with app.app_context():
        total = db.session.scalar(select(func.count(EMPLOYEE.c.id)))
        if total < 1000:
            sys.exit("few employees: run `flask --app run bench-data` on this database first")
        started = time.perf_counter()
        risk_id = prepare()
        holders = db.session.scalar(select(func.count()).where(EmployeeRisk.risk_id == risk_id))
        print(f"{db.engine.dialect.name}: {total} employees, {holders} hold {BENCH_RISK} "
              f"(prepared in {time.perf_counter() - started:.1f} s)")  # fmt: skip
        print("before:")
        if args.legacy:
            legacy(risk_id)
        else:
            for label, figure in ISSUE_FIGURES.items():
                print(f"  {label:<48} {figure:>9}  (issue 13, PostgreSQL)")
        print(f"after (batches of {args.batch}):")
        results = after(risk_id, args.batch)
    missed = []
    if results["change"] >= CHANGE_TARGET:
        missed.append(f"catalogue change {results['change']:.1f} s >= {CHANGE_TARGET} s")
    if results["change_again"] >= NOTHING_TARGET:
        missed.append(f"nothing to change {results['change_again']:.1f} s >= {NOTHING_TARGET} s")
    print("targets: " + ("; ".join(missed) if missed else "met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
