"""The January peak (issue 11, "Scale and concurrency"): 200 members confirming their
declaration at once on PostgreSQL, each twice (a double click, or two users of the member),
through the real service (`declarations.confirm`, one app context, session and connection per
request, as the web workers would), `--workers` requests in flight. Prints the duration, the
errors (0), duplicate confirmations and invoices (0) and the gaps in the year's invoice numbers
(none). A script, not a timed test.

    .venv/bin/python -m bench.declaration_peak --database-url postgresql://postgres@127.0.0.1:5432/invbench
"""

import argparse
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from app import clock, create_app
from app.cli import REFERENCE_DIR
from app.demo import load as demo
from app.demo import synthetic
from app.extensions import db
from app.models.billing import Declaration, Invoice
from app.models.member import Member
from app.services import declarations
from config import database_url
from tests import databases


def make_app(url: str | None, pool: int):
    """A fresh database (recreated on PostgreSQL) with the demo data; `pool` connections."""
    url = database_url(url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    databases.reset(url)
    options = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options |= {"pool_size": pool, "max_overflow": 0, "pool_timeout": 300}
    settings = {"RATELIMIT_ENABLED": False, "MAIL_SERVER": "", "SQLALCHEMY_ENGINE_OPTIONS": options}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **settings})
    with app.app_context():
        upgrade()
        demo.load(REFERENCE_DIR)
        db.session.commit()
    return app


def bench_members(app, members: int, employees: int) -> list[int]:
    with app.app_context():
        synthetic.generate(members, employees, big=max(20, employees // 5), seed=7)
        db.session.commit()
        synthetic.settle()
        return list(synthetic.bench_member_ids())


def confirm(app, member_id: int, year: int) -> tuple[float, bool]:
    """One request: the page's counts, then the confirmation; (seconds, confirmed by this one)."""
    start = time.perf_counter()
    with app.app_context():
        try:
            member = db.session.get(Member, member_id)
            shown = declarations.current_counts(member_id, clock.today())
            _, done = declarations.confirm(member, None, declarations.campaign_of(year), shown)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
    return time.perf_counter() - start, done


def check(app, member_ids: list[int], year: int) -> dict:
    with app.app_context():
        live = db.session.execute(
            select(Declaration.member_id, func.count())
            .where(Declaration.year == year, Declaration.reopened_at.is_(None))
            .where(Declaration.member_id.in_(member_ids))
            .group_by(Declaration.member_id)
        ).all()
        invoiced = db.session.execute(
            select(Invoice.member_id, func.count())
            .where(Invoice.year == year, Invoice.member_id.in_(member_ids))
            .group_by(Invoice.member_id)
        ).all()
        sequences = list(
            db.session.scalars(
                select(Invoice.sequence).where(Invoice.year == year).order_by(Invoice.sequence)
            )
        )
    expected = list(range(1, len(sequences) + 1))
    return {
        "members confirmed": len(live),
        "duplicate confirmations": sum(count - 1 for _, count in live),
        "members invoiced": len(invoiced),
        "duplicate invoices": sum(count - 1 for _, count in invoiced),
        "invoice numbers": f"1..{len(sequences)}",
        "gaps or duplicates in the numbers": sorted(set(expected) ^ set(sequences)),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--employees", type=int, default=4000, help="In all, spread over them.")
    parser.add_argument("--workers", type=int, default=50, help="Requests in flight at once.")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    app = make_app(args.database_url, args.workers)
    member_ids = bench_members(app, args.members, args.employees)
    year = clock.today().year
    requests = member_ids * 2  # every member confirms twice
    random.Random(3).shuffle(requests)
    errors, times, confirmed = [], [], 0
    start = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        futures = [pool.submit(confirm, app, member_id, year) for member_id in requests]
        for future in futures:
            try:
                seconds, done = future.result()
                times.append(seconds)
                confirmed += done
            except Exception as error:  # noqa: BLE001 - counted and shown
                errors.append(repr(error))
    elapsed = time.perf_counter() - start
    with app.app_context():
        dialect = db.engine.dialect.name
    print(f"{dialect}: {len(requests)} confirmations of {len(member_ids)} members "
          f"({args.employees} employees), {args.workers} in flight")  # fmt: skip
    print(f"  {elapsed:.2f} s in all; per request median {statistics.median(times) * 1000:.0f} ms,"
          f" p95 {statistics.quantiles(times, n=20)[-1] * 1000:.0f} ms")  # fmt: skip
    print(f"  errors: {len(errors)} {errors[:3]}; confirmed by a request: {confirmed}")
    for name, value in check(app, member_ids, year).items():
        print(f"  {name}: {value}")
    return 0 if not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
