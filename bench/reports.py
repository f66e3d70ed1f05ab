"""Benchmark of the reports, the member's home and the back-office lists at scale (issue 13,
"Throughput"): a script, not a timed test.

On the synthetic data set (`flask --app run bench-data`), through the real HTTP stack (Flask test
client, real login), as a member administrator of the big member (20,000 employees) and of a
20-employee member: the median server time of each report page (first and last page, each sort
of the workforce report, the overdue flag, the planning's three views, the conclusions) and of
the home page (its to-do and charts), with the ratio big / small and the SQL statements of each
request; then, as staff, the back-office employee list (300,000 rows: first and deep page), the
visit requests and the visits done.

bench-data makes no visits: the first run adds, for both members, an appointment in progress for
one employee in 20, a visit done for one in 10 and an absence for one in 50 (kept afterwards).

Targets: time ratio big / small <= 1.5 for every member page; statements the same for big and
small. Exit status 1 when one is missed.

    .venv/bin/python -m bench.reports --database-url sqlite:////tmp/bench.db
    .venv/bin/python -m bench.reports --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import event, func, insert, select

from app import clock, create_app, permissions
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.employee import Employee
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome, VisitRequest
from app.services import accounts
from bench.employees import (
    CSRF,
    PASSWORD,
    StatementCounter,
    ensure_user,
    find_subjects,
    login,
)
from bench.employees import time_page as _time_page
from config import database_url

MAX_TIME_RATIO = 1.5
DEEP = 99999  # beyond the last page: the reports show the last one
WORKFORCE_SORTS = ("name", "category", "last_exam_on", "next_due_on", "appointment")
STAFF = "bench.staff"


def member_pages() -> list[tuple[str, str]]:
    """(label, URL) of every measured member page; the deep ones ask for the last page."""
    pages = [("home", "/")]
    for sort in WORKFORCE_SORTS:
        for descending in ("", "1"):
            label = f"workforce {sort}{' desc' if descending else ''}"
            url = f"/reports/workforce?sort={sort}&desc={descending}"
            pages += [(label, url), (f"{label} (deep)", f"{url}&page={DEEP}")]
    pages.append(("workforce overdue", "/reports/workforce?overdue=1"))
    pages.append(("workforce overdue (deep)", f"/reports/workforce?overdue=1&page={DEEP}"))
    for view in ("planned", "seen", "absent"):
        url = f"/reports/planning?view={view}"
        pages += [(f"planning {view}", url), (f"planning {view} (deep)", f"{url}&page={DEEP}")]
    pages += [
        ("conclusions", "/reports/conclusions"),
        ("conclusions (deep)", f"/reports/conclusions?page={DEEP}"),
    ]
    return pages


def ensure_visits(member_id: int) -> int:
    """Appointments in progress, visits done and absences for a share of the member's employees
    (none added when the member has some already): the rows added."""
    if db.session.scalar(select(func.count(Visit.id)).where(Visit.member_id == member_id)):
        return 0
    exam_type = db.session.scalar(select(ExamType.id).order_by(ExamType.id))
    ids = db.session.scalars(
        select(Employee.id).where(Employee.member_id == member_id).order_by(Employee.id)
    ).all()
    now = clock.now().replace(microsecond=0)
    today = now.date()
    requests, visits = [], []
    for index, employee_id in enumerate(ids):
        common = {"member_id": member_id, "employee_id": employee_id, "exam_type_id": exam_type}
        if index % 20 == 0:
            requests.append(
                {
                    **common,
                    "motive": "bench",
                    "status": RequestStatus.SCHEDULED,
                    "requested_at": now - timedelta(days=30),
                    "scheduled_at": datetime.combine(today, clock_time(9))
                    + timedelta(days=index % 90),
                }
            )
        outcome = (
            VisitOutcome.SEEN
            if index % 10 == 1
            else VisitOutcome.ABSENT
            if index % 50 == 2
            else None
        )
        if outcome is not None:
            seen = outcome is VisitOutcome.SEEN
            visits.append(
                {
                    **common,
                    "visit_on": today - timedelta(days=1 + index % 700),
                    "outcome": outcome,
                    "conclusion": Conclusion.FIT if seen else None,
                    "recommendations": "Aucune" if seen else None,
                    "recorded_at": now,
                }
            )
    if requests:
        db.session.execute(insert(VisitRequest), requests)
    if visits:
        db.session.execute(insert(Visit), visits)
    db.session.commit()
    return len(requests) + len(visits)


def ensure_staff() -> None:
    user = accounts.find_user(STAFF)
    if user is None:
        accounts.create_user(
            username=STAFF,
            password=PASSWORD,
            roles=[permissions.ROLE_STAFF],
            first_name="Bench",
            last_name="STAFF",
            email="bench.staff@bench.example",
        )
    db.session.commit()


def staff_login(app):
    client = app.test_client()
    match = CSRF.search(client.get("/login/").get_data(as_text=True))
    token = match[1] or match[2]
    client.post("/login/", data={"username": STAFF, "password": PASSWORD, "csrf_token": token})
    return client


def time_page(client, url, counter, runs):
    response = client.get(url)  # the page exists for this user (not a redirect, not a 403)
    if response.status_code != 200:
        sys.exit(f"GET {url}: {response.status_code}")
    return _time_page(client, url, counter, runs)


def _timed(client, url: str, counter) -> tuple[float, int]:
    counter.count = 0
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        sys.exit(f"GET {url}: {response.status_code}")
    return elapsed, counter.count


def measure(subjects, pages, counter, runs) -> dict:
    """Big and small requests alternate, so that the machine's load drift hits both sides."""
    results = {}
    for label, url in pages:
        for subject in subjects:
            for _ in range(3):  # warm-up; the first one also checks the page opens
                _timed(subject.client, url, counter)
        samples = [[], []]
        for _ in range(runs):
            for index, subject in enumerate(subjects):
                samples[index].append(_timed(subject.client, url, counter))
        results[label] = [
            (statistics.median(ms for ms, _n in sample), [n for _ms, n in sample])
            for sample in samples
        ]
    return results


def report_members(results: dict, failures: list[str]) -> None:
    print(f"{'member page':<34}{'big ms':>9}{'small ms':>9}{'ratio':>7}  statements big/small")
    for label, ((big_ms, big_n), (small_ms, small_n)) in results.items():
        ratio = big_ms / small_ms
        ok = ratio <= MAX_TIME_RATIO and set(big_n) == set(small_n)
        if not ok:
            failures.append(label)
        counts = f"{sorted(set(big_n))}/{sorted(set(small_n))}"
        print(
            f"{label:<34}{big_ms:>9.1f}{small_ms:>9.1f}{ratio:>7.2f}  {counts:<14}"
            f"{'' if ok else 'FAIL'}"
        )


def staff_pages(app) -> list[tuple[str, str]]:
    with app.app_context():
        employees = db.session.scalar(select(func.count(Employee.id)))
    deep = max((employees + 24) // 25 - 1, 0)
    view = "BackofficeEmployeeView"
    return [
        ("back-office employees", f"/backofficeemployeeview/list/?psize_{view}=25"),
        (
            f"back-office employees (page {deep + 1})",
            f"/backofficeemployeeview/list/?psize_{view}=25&page_{view}={deep}",
        ),
        ("back-office visit requests", "/backofficevisitrequestview/list/"),
        ("back-office visits done", "/backofficevisitview/list/"),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=7, help="requests per measure")
    args = parser.parse_args(argv)
    settings = {"RATELIMIT_ENABLED": False, "DUERP_ASK_AT_LOGIN": False, "MAIL_SERVER": ""}
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(args.database_url), **settings})
    with app.app_context():
        subjects = find_subjects()
        added = sum(ensure_visits(subject.member_id) for subject in subjects)
        usernames = [ensure_user(subject) for subject in subjects]
        ensure_staff()
        engine = db.engine
        print(f"Database: {engine.dialect.name}; visit rows added: {added}")
        for name, subject in zip(("big", "small"), subjects, strict=True):
            print(f"{name} member {subject.number}: {subject.employees} employees")
    for subject, username in zip(subjects, usernames, strict=True):
        subject.client = login(app, username)
    staff = staff_login(app)
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    results = measure(subjects, member_pages(), counter, args.runs)
    back_office = {
        label: time_page(staff, url, counter, args.runs) for label, url in staff_pages(app)
    }
    event.remove(engine, "before_cursor_execute", counter)
    failures: list[str] = []
    print(f"\nMedian of {args.runs} requests (ms), target ratio <= {MAX_TIME_RATIO}")
    report_members(results, failures)
    print(f"\n{'back-office page (staff)':<42}{'ms':>9}  statements")
    for label, (ms, counts) in back_office.items():
        print(f"{label:<42}{ms:>9.1f}  {sorted(set(counts))}")
    print(f"\n{'FAIL: ' + ', '.join(failures) if failures else 'PASS: every target met'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
