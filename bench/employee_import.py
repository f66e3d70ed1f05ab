"""Timing of the employee import (issue 14, "Scale"): a generated file of `--rows` employees
(20,000 by default) for the demo member 10250, in xlsx (as Excel or our export writes it) or CSV,
checked by the dry run (target < 30 s) then applied (target < 60 s), on a 2-core machine; then
the same file checked again (every row unchanged). The two jobs run in the process as without
REDIS_URL; their times are the jobs' own. Also prints the peak memory the dry run allocated
(tracemalloc, in runs of their own) for the file and for a file of half the rows: flat in the file
size means about the same. A script, not a timed test; exit status 1 when a target is missed.

    .venv/bin/python -m bench.employee_import [--rows 20000] [--csv]          # fresh SQLite
    .venv/bin/python -m bench.employee_import --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

import argparse
import io
import sys
import time
import tracemalloc
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from app.domain.employee_import import COLUMNS
from app.extensions import db
from app.models.employee import Employee
from app.models.employee_import import EmployeeImport, ImportStatus
from app.models.member import Member
from app.models.user import PortalUser
from app.services import employee_import
from bench.access_timing import _app

CHECK_TARGET, APPLY_TARGET = 30.0, 60.0
POSTS = [
    ("Vendeur", "554a"),
    ("Caissier", "554b"),
    ("Magasinier", "676a"),
    ("Boulanger", "636c"),
    ("Chauffeur livreur", "643a"),
    ("Agent d'entretien", "684a"),
]
RISKS = ["", "BRUIT", "ECRAN|BRUIT", "AMIANTE", "NUIT", "MANUT|VIBR"]


def _nir(index: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=index % 14000)
    first = f"{1 + index % 2}{born.year % 100:02d}{born.month:02d}{75101 + index // 1000 % 20}"
    first += f"{index % 1000:03d}"
    return first + f"{97 - int(first) % 97:02d}"


def rows(count: int):
    for index in range(count):
        born = date(1960, 1, 1) + timedelta(days=index % 14000)
        post, pcs = POSTS[index % len(POSTS)]
        values = {
            "last_name": f"IMPORT{index:05d}",
            "birth_name": "",
            "first_name": "Camille",
            "sex": "MF"[index % 2],
            "birth_date": born,
            "nir": _nir(index),
            "siret": "10250000600014",
            "work_post": post,
            "pcs_code": pcs,
            "contract": "CDI" if index % 5 else "CDD",
            "hired_on": date(2020, 1, 1) + timedelta(days=index % 1500),
            "apprentice": "non",
            "night_work": "non",
            "risks": RISKS[index % len(RISKS)],
        }
        yield [values.get(column.key) for column in COLUMNS]


def xlsx(count: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Salariés")
    sheet.append([column.header for column in COLUMNS])
    for row in rows(count):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(count: int) -> bytes:
    def cell(value):
        return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value or "")

    lines = [";".join(column.header for column in COLUMNS)]
    lines += [";".join(cell(value) for value in row) for row in rows(count)]
    return "\r\n".join(lines).encode("cp1252")


def _run(app, data: bytes, name: str, apply: bool, memory: bool = False) -> dict:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10250"))
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
        if memory:
            tracemalloc.start()
        start = time.perf_counter()
        found = employee_import.create(member, name, data, user)
        db.session.commit()  # the dry run runs here (in the process)
        checked = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if memory else 0
        if memory:
            tracemalloc.stop()
        db.session.expire_all()
        found = db.session.get(EmployeeImport, found.id)
        outcome = {"check": checked, "peak_mb": peak / 2**20, "total": found.total,
                   "to_create": found.to_create, "unchanged": found.unchanged,
                   "in_error": found.in_error, "status": found.status}  # fmt: skip
        if apply and found.status is ImportStatus.CHECKED:
            start = time.perf_counter()
            employee_import.start_apply(found, user)
            db.session.commit()
            outcome["apply"] = time.perf_counter() - start
            db.session.expire_all()
            outcome["applied"] = db.session.get(EmployeeImport, found.id).applied
        return outcome


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--database-url")
    parser.add_argument("--csv", action="store_true")
    args = parser.parse_args()
    app = _app(args.database_url)
    make, name = (csv, "salaries.csv") if args.csv else (xlsx, "salaries.xlsx")
    data = make(args.rows)
    print(f"{name}: {args.rows} rows, {len(data) / 2**20:.1f} MB")
    # tracemalloc slows every allocation (xlsx parsing several times over): its runs apart
    half = _run(app, make(args.rows // 2), name, apply=False, memory=True)
    full = _run(app, data, name, apply=False, memory=True)
    first = _run(app, data, name, apply=True)
    again = _run(app, data, name, apply=False)
    with app.app_context():
        written = db.session.scalar(
            select(func.count(Employee.id)).where(Employee.last_name.like("IMPORT%"))
        )
    print(f"dry run:  {first['check']:.1f} s (target < {CHECK_TARGET:.0f} s), "
          f"{first['to_create']} to create, {first['in_error']} in error")  # fmt: skip
    print(f"apply:    {first['apply']:.1f} s (target < {APPLY_TARGET:.0f} s), "
          f"{first['applied']} written, {written} in the workforce")  # fmt: skip
    print(f"again:    {again['check']:.1f} s, {again['unchanged']} unchanged")
    print(f"peak memory of the dry run: {full['peak_mb']:.1f} MB for {args.rows} rows, "
          f"{half['peak_mb']:.1f} MB for {args.rows // 2}")  # fmt: skip
    missed = first["check"] > CHECK_TARGET or first["apply"] > APPLY_TARGET
    return 1 if missed or first["applied"] != args.rows else 0


if __name__ == "__main__":
    sys.exit(main())
