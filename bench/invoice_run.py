"""Invoicing a whole year from the command (issue 11, "Generating the invoices of 14,000
members from a command runs in one pass with progress and can be resumed"): `--members`
synthetic members with employees, none confirmed; `invoice_runs.run(--unconfirmed)` confirms
them on the service's behalf and invoices them by batches (what `flask invoice-declarations
YEAR --unconfirmed` runs), timed; then a second run, which must create nothing. A script, not a
timed test.

    .venv/bin/python -m bench.invoice_run --database-url postgresql://postgres@127.0.0.1:5432/invbench
"""

import argparse
import time

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.billing import Declaration, Invoice
from app.services import declarations, invoice_runs
from bench.declaration_peak import bench_members, make_app


def _counts(year: int) -> dict[str, int]:
    return {
        "declarations": db.session.scalar(
            select(func.count(Declaration.id)).where(Declaration.year == year)
        ),
        "invoices": db.session.scalar(select(func.count(Invoice.id)).where(Invoice.year == year)),
    }


def _timed_run(year: int) -> tuple[float, invoice_runs.Outcome]:
    def progress(step, done, total):
        if done == total or done % (invoice_runs.BATCH * 10) == 0:
            print(f"    {step}: {done}/{total} ({time.perf_counter() - start:.1f} s)")

    start = time.perf_counter()
    outcome = invoice_runs.run(declarations.campaign_of(year), unconfirmed=True, progress=progress)
    return time.perf_counter() - start, outcome


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=14000)
    parser.add_argument("--employees", type=int, default=140000, help="In all.")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    app = make_app(args.database_url, 5)
    started = time.perf_counter()
    bench_members(app, args.members, args.employees)
    print(f"data: {args.members} members, {args.employees} employees "
          f"({time.perf_counter() - started:.0f} s)")  # fmt: skip
    year = clock.today().year
    with app.app_context():
        dialect = db.engine.dialect.name
        before = _counts(year)
        first, outcome = _timed_run(year)
        after_first = _counts(year)
        second, again = _timed_run(year)
        after_second = _counts(year)
        sequences = list(
            db.session.scalars(
                select(Invoice.sequence).where(Invoice.year == year).order_by(Invoice.sequence)
            )
        )
    gaps = sorted(set(range(1, len(sequences) + 1)) ^ set(sequences))
    print(f"{dialect}: first run {first:.1f} s: {outcome.confirmed} confirmed, "
          f"{outcome.invoiced} invoiced, {len(outcome.failed)} failures; rows {before} -> "
          f"{after_first}")  # fmt: skip
    print(f"  second run {second:.1f} s: {again.confirmed} confirmed, {again.invoiced} invoiced;"
          f" rows {after_second}")  # fmt: skip
    print(f"  invoice numbers 1..{len(sequences)}, gaps or duplicates: {gaps}")
    return 0 if not outcome.failed and again.invoiced == again.confirmed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
