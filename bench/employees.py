"""Benchmark of the workforce list and of its exports at scale (a script, not a timed test).

On the synthetic data set (`flask --app run bench-data`), through the real HTTP stack (Flask test
client, real login with its CSRF token), as a member administrator of each member:

- the list of the big member (the bench member with the most employees, 20,000 by default)
  against a smaller one (the bench member nearest `--small` employees, 2,000 by default; 20 is
  the smallest): median server time of the first page and of the last page (size 25) for every
  sort and for a name filter (`f_last_name=MAR`, a part of the commonest names), and the SQL
  statements each request costs;
- the Excel and XML exports of the big member, all its rows against the ~2,000 named DEUXMILLE:
  wall time (without tracing) and peak Python memory (tracemalloc) while the streamed response
  is consumed chunk by chunk.

- the xlsx export of the same rows written by raw openpyxl (write-only, plain values): the
  floor the export is compared with.

Targets (issue 13): list time ratio <= 1.2 for the default sort (by name), <= 1.5 for the other
sorts and the name filter; statements per page the same for every size and <= 20; export memory
ratio <= 1.3. Exit status 1 when one is missed.

    DATABASE_URL=sqlite:////work/main/instance/bench.db .venv/bin/python -m bench.employees
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field

from sqlalchemy import event, func, select

from app import clock, create_app, permissions
from app.demo import synthetic
from app.extensions import db
from app.models.employee import Employee
from app.services import accounts, employee_list

PASSWORD = "Bench-password-2026-long"
PAGE_SIZE = 25
FILTER = f"f_last_name={synthetic.MARKER_NAME}"
NAME_PART = "MAR"  # in MARTIN, MARTINEZ, MARCHAND... : rows in every member of some size
MAX_TIME_RATIO = 1.5
MAX_DEFAULT_RATIO = 1.2
MAX_STATEMENTS = 20
MAX_MEMORY_RATIO = 1.3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class StatementCounter:
    """Counts the statements sent to the database (sqlalchemy `before_cursor_execute`)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


@dataclass
class Subject:
    """A bench member, its workforce and the logged-in client of its throwaway user."""

    member_id: int
    number: str
    employees: int
    listed: int = 0
    filtered: int = 0
    named: int = 0
    client: object = None
    results: dict = field(default_factory=dict)

    @property
    def last_page(self) -> int:
        return max((self.listed + PAGE_SIZE - 1) // PAGE_SIZE, 1)

    @property
    def last_named_page(self) -> int:
        return max((self.named + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def find_subjects(small_size: int) -> tuple[Subject, Subject]:
    """The bench member with the most employees, and the one nearest `small_size` (the lowest
    number among equals)."""
    numbers = synthetic.bench_member_ids()
    if not numbers:
        sys.exit("no bench member (>= 500000): run `flask --app run bench-data` first")
    sizes = {
        member_id: count
        for member_id, count in db.session.execute(
            select(Employee.member_id, func.count()).group_by(Employee.member_id)
        )
        if member_id in numbers
    }
    big = max(sizes, key=lambda member_id: (sizes[member_id], -int(numbers[member_id])))
    small = min(
        (member_id for member_id in sizes if member_id != big),
        key=lambda member_id: (abs(sizes[member_id] - small_size), int(numbers[member_id])),
    )
    subjects = tuple(Subject(i, numbers[i], sizes[i]) for i in (big, small))
    today = clock.today()
    for subject in subjects:
        listed = employee_list.ListParams(size=PAGE_SIZE)
        subject.listed = employee_list.page(db.session, subject.member_id, listed, today)[1]
        marked = employee_list.ListParams(filters={"last_name": synthetic.MARKER_NAME})
        subject.filtered = employee_list.page(db.session, subject.member_id, marked, today)[1]
        named = employee_list.ListParams(filters={"last_name": NAME_PART})
        subject.named = employee_list.page(db.session, subject.member_id, named, today)[1]
    return subjects


def ensure_user(subject: Subject) -> str:
    """A member administrator of the member with the known password (created if missing)."""
    username = f"bench.{subject.number}"
    user = accounts.find_user(username)
    if user is None:
        accounts.create_user(
            username=username,
            password=PASSWORD,
            roles=[permissions.ROLE_MEMBER, permissions.ROLE_MEMBER_ADMIN],
            first_name="Bench",
            last_name="BENCH",
            email=f"{username}@bench.example",
            member_id=subject.member_id,
        )
    else:
        user.password = accounts.hash_password(PASSWORD)
        user.active, user.must_change_password = True, False
        user.locked_until, user.fail_login_count = None, 0
    db.session.commit()
    return username


def login(app, username: str):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    match = CSRF.search(page)
    if match is None:
        sys.exit("no CSRF token in the login page")
    client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrf_token": match[1] or match[2]},
    )
    if client.get(f"/employees/?size={PAGE_SIZE}").status_code != 200:
        sys.exit(f"{username} cannot open the employee list: login failed?")
    return client


def time_page(
    client, url: str, counter: StatementCounter, runs: int, warm: bool = True
) -> tuple[float, list[int]]:
    """Median wall time (ms) of `runs` GETs after two warm-ups, and the statements of each."""
    for _ in range(2 if warm else 0):
        client.get(url)
    times, statements = [], []
    for _ in range(runs):
        counter.count = 0
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        statements.append(counter.count)
        if response.status_code != 200:
            sys.exit(f"GET {url}: {response.status_code}")
    return statistics.median(times), statements


def consume(client, url: str) -> tuple[int, int]:
    """Read a streamed export chunk by chunk and drop it: bytes read, <salarie> elements seen."""
    response = client.get(url, buffered=False)
    if response.status_code != 200:
        sys.exit(f"GET {url}: {response.status_code}")
    size = rows = 0
    try:
        for chunk in response.iter_encoded():
            size += len(chunk)
            rows += chunk.count(b"<salarie>")
    finally:
        response.close()
    return size, rows


def time_export(client, url: str, runs: int) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        size, rows = consume(client, url)
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        consume(client, url)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return {"ms": statistics.median(times), "bytes": size, "rows": rows, "peak": peak}


def time_xlsx_parts(app, big: Subject, runs: int) -> dict:
    """Where the xlsx export's time goes, on the big member's full list: reading the rows
    (`export_rows` + `sheet`, materialised), writing them with our `xlsx_chunks`, and writing the
    same values with raw openpyxl (write-only workbook, `append` of plain values, saved to a
    temporary file): medians of `runs` (ms)."""
    from flask import g
    from openpyxl import Workbook

    from app.exports.xlsx import xlsx_chunks
    from app.security import tenancy
    from app.views.portal import employee_pages

    def read():
        params = employee_list.ListParams()
        headers, values = employee_pages.sheet(employee_pages.export_rows(big.member_id, params))
        rows = [list(row) for row in values]
        if len(rows) != big.listed:
            sys.exit(f"the export read {len(rows)} rows, not {big.listed}")
        return headers, rows

    def ours(headers, rows):
        for _chunk in xlsx_chunks("Employees", headers, rows):
            pass

    def raw(headers, rows):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Employees")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        with tempfile.TemporaryFile() as target:
            workbook.save(target)

    times = {"read": [], "ours": [], "raw": []}
    with app.test_request_context():
        g.tenant_scope = tenancy.Scope(member_id=big.member_id)  # as the member's user's request
        for _ in range(runs):
            start = time.perf_counter()
            headers, rows = read()
            times["read"].append((time.perf_counter() - start) * 1000)
            db.session.rollback()
            for name, write in (("ours", ours), ("raw", raw)):
                start = time.perf_counter()
                write(headers, rows)
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()} | {"rows": len(rows)}


def verdict(ok: bool, failures: list[str], what: str) -> str:
    if not ok:
        failures.append(what)
    return "PASS" if ok else "FAIL"


def cases(subject: Subject) -> dict[str, str]:
    """label -> query string: every sort (first and last page), then the name filter's."""
    found = {}
    for sort in employee_list.SORTS:
        found[f"{sort}, first"] = f"sort={sort}"
        found[f"{sort}, deep"] = f"sort={sort}&page={subject.last_page}"
    found[f"name ~ {NAME_PART}, first"] = f"f_last_name={NAME_PART}"
    found[f"name ~ {NAME_PART}, deep"] = f"f_last_name={NAME_PART}&page={subject.last_named_page}"
    return found


def measure_lists(subjects, counter: StatementCounter, runs: int) -> None:
    """Big and small alternate request by request, so that a drift of the machine's load hits
    both alike."""
    for label in cases(subjects[0]):
        for _ in range(runs):
            for subject in subjects:
                url = f"/employees/?size={PAGE_SIZE}&{cases(subject)[label]}"
                ms, statements = time_page(subject.client, url, counter, 1, warm=_ == 0)
                subject.results.setdefault(label, ([], []))
                subject.results[label][0].append(ms)
                subject.results[label][1].extend(statements)
    for subject in subjects:
        for label, (times, statements) in subject.results.items():
            subject.results[label] = (statistics.median(times), statements)


def measure_exports(big: Subject, runs: int) -> dict:
    results = {}
    for kind in ("xlsx", "xml"):
        url = f"/employees/export.{kind}"
        consume(big.client, f"{url}?{FILTER}")  # warm-up
        results[kind] = {
            "filtered": time_export(big.client, f"{url}?{FILTER}", runs),
            "full": time_export(big.client, url, runs),
        }
    return results


def report_header(subjects, runs: int) -> None:
    big, small = subjects
    url = db.engine.url.render_as_string(hide_password=True)
    totals = synthetic.counts()
    print(f"Database: {db.engine.dialect.name} ({url})")
    print(
        f"Rows: {totals['member']} members ({len(synthetic.bench_member_ids())} bench), "
        f"{totals['establishment']} establishments, {totals['work_post']} work posts, "
        f"{totals['employee']} employees"
    )
    for label, subject in (("big", big), ("small", small)):
        print(
            f"{label} member {subject.number}: {subject.employees} employees, "
            f"{subject.listed} listed ({subject.last_page} pages of {PAGE_SIZE}), "
            f"{subject.filtered} named {synthetic.MARKER_NAME}, {subject.named} with {NAME_PART}"
        )
    print(f"\nEmployee list, median of {runs} requests (ms)")
    print(f"{'':<28}{'big':>10}{'small':>10}{'ratio':>8}  target")


def report_lists(subjects, failures: list[str]) -> None:
    big, small = subjects
    for label in big.results:
        big_ms, small_ms = big.results[label][0], small.results[label][0]
        ratio = big_ms / small_ms
        target = MAX_DEFAULT_RATIO if label.startswith("last_name") else MAX_TIME_RATIO
        result = verdict(ratio <= target, failures, f"list {label} time ratio")
        times = f"{big_ms:>10.1f}{small_ms:>10.1f}{ratio:>8.2f}"
        print(f"{label:<28}{times}  <= {target} {result}")
    print("\nSQL statements per request (each of the runs)")
    seen = set()
    for name, subject in (("big", big), ("small", small)):
        counts = sorted({count for _ms, found in subject.results.values() for count in found})
        seen.update(counts)
        print(f"  {name:<6}{counts}")
    ok = len(seen) == 1 and max(seen) <= MAX_STATEMENTS
    result = verdict(ok, failures, "statements per page")
    print(f"  same for all and <= {MAX_STATEMENTS}: {result}")


def report_exports(exports: dict, failures: list[str]) -> None:
    print("\nExports of the big member (time: median, untraced; memory: tracemalloc peak)")
    print(f"{'':<8}{'rows':>8}{'MiB':>8}{'ms':>10}{'peak KiB':>11}")
    for kind, cases in ((kind, exports[kind]) for kind in ("xlsx", "xml")):
        for case in ("filtered", "full"):
            data = cases[case]
            rows = data["rows"] if kind == "xml" else "-"
            print(
                f"{kind:<5}{case[:4]:<3}{rows:>8}{data['bytes'] / 2**20:>8.2f}"
                f"{data['ms']:>10.0f}{data['peak'] / 1024:>11.0f}"
            )
        memory = cases["full"]["peak"] / cases["filtered"]["peak"]
        slower = cases["full"]["ms"] / cases["filtered"]["ms"]
        result = verdict(memory <= MAX_MEMORY_RATIO, failures, f"{kind} export memory ratio")
        print(
            f"{kind:<8}time ratio {slower:.2f}, memory ratio {memory:.2f} "
            f"(<= {MAX_MEMORY_RATIO}) {result}"
        )
    parts = exports["parts"]
    http = exports["xlsx"]["full"]["ms"]
    print(
        f"\nxlsx of {parts['rows']} rows (medians, ms): through HTTP {http:.0f}; reading the rows "
        f"{parts['read']:.0f}, writing them {parts['ours']:.0f}; raw openpyxl writing the same "
        f"values {parts['raw']:.0f}; export / raw {http / parts['raw']:.2f}, "
        f"writing / raw {parts['ours'] / parts['raw']:.2f}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="requests per list measure")
    parser.add_argument("--export-runs", type=int, default=3, help="timed runs per export")
    parser.add_argument(
        "--small", type=int, default=2000, help="employees of the member compared (the nearest)"
    )
    parser.add_argument("--no-exports", action="store_true", help="the lists only")
    args = parser.parse_args(argv)
    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        subjects = find_subjects(args.small)
        usernames = [ensure_user(subject) for subject in subjects]
        engine = db.engine
    # Requests outside any app context: each one gets its own, as in production.
    for subject, username in zip(subjects, usernames, strict=True):
        subject.client = login(app, username)
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    measure_lists(subjects, counter, args.runs)
    exports = None if args.no_exports else measure_exports(subjects[0], args.export_runs)
    if exports is not None:
        exports["parts"] = time_xlsx_parts(app, subjects[0], args.export_runs)
    event.remove(engine, "before_cursor_execute", counter)
    failures: list[str] = []
    with app.app_context():
        report_header(subjects, args.runs)
    report_lists(subjects, failures)
    if exports is not None:
        report_exports(exports, failures)
    print(f"\n{'FAIL: ' + ', '.join(failures) if failures else 'PASS: every target met'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
