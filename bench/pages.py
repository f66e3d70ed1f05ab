"""Benchmark of the portal's pages (issue 13, "Throughput"): SQL statements and time of each page
in process, for a small and a big member (a script, not a timed test).

On the synthetic data set (`flask --app run bench-data`: the big member of 20,000 employees and a
20-employee one), to which the script adds, once, what the employees alone do not give: visit
requests, documents, invoices and messages (many for the big member, a few for the small one).
Through the real HTTP stack (Flask test client, real login with its CSRF token), as a member
administrator of each member, every page is requested after two warm-ups: its statements (the
same at each run, or the list shows them all) and the median wall and CPU time of `--runs`
requests. CPU time is the figure to compare on a busy machine.

`--profile URL` then prints where the time of that page goes (pyinstrument, 50 requests as the
small member's administrator, or anonymous for an anonymous page).

Targets: statements per page <= 12 and the same for both members; anonymous pages <= 2.
Exit status 1 when one is missed.

    .venv/bin/python -m bench.pages --database-url sqlite:////work/main/instance/bench.db
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event, func, select

from app import clock, create_app
from app.domain import billing
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.billing import Invoice
from app.models.contact import ContactMessage, ContactType
from app.models.document import Document, DocumentContent, DocumentDirection
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import DocumentClass, ExamType
from app.models.user import PortalUser
from app.models.visit import VisitRequest
from app.services import contact, invoices
from bench.employees import PAGE_SIZE, StatementCounter, ensure_user, find_subjects, login
from config import database_url

MAX_STATEMENTS = 12
MAX_ANONYMOUS = 2
# Rows added to each member: (visit requests, documents, invoices, messages).
ROWS = {"big": (500, 300, 60, 100), "small": (3, 3, 2, 2)}
ANONYMOUS = {
    "login": "/login/",
    "first connection": "/access/first-connection",
    "forgotten password": "/access/forgot-password",
}
PAGES = {
    "home": "/",
    "employees (first page)": f"/employees/?size={PAGE_SIZE}",
    "employees (last page)": f"/employees/?size={PAGE_SIZE}&page={{last_page}}",
    "employee record": "/employees/{employee}",
    "visit requests": "/visit-requests/",
    "documents": "/documents/",
    "employees' documents": "/documents/employees/",
    "invoices": "/invoices/",
    "declaration": "/declaration/",
    "profiles": "/company-users/",
    "my profile": "/profile/",
    "messages": "/messages/",
    "contact us": "/contact/",
    "centres": "/centres/",
    "company": "/portalcompanyview/show/{member}",
}


def make_app(url: str | None):
    return create_app({"RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": database_url(url)})


def _author(member_id: int) -> PortalUser:
    return db.session.scalar(
        select(PortalUser).where(PortalUser.member_id == member_id).order_by(PortalUser.id)
    )


def add_rows(member_id: int, requests: int, documents: int, bills: int, messages: int) -> None:
    """The member's requests, documents, invoices and messages, up to the numbers given (a second
    run adds nothing)."""
    member = db.session.get(Member, member_id)
    employees = db.session.scalars(
        select(Employee.id).where(Employee.member_id == member_id).limit(requests)
    ).all()
    exam = db.session.scalar(select(ExamType.id).order_by(ExamType.id))
    have = db.session.scalar(select(func.count()).where(VisitRequest.member_id == member_id))
    start = clock.now() - timedelta(days=requests + 30)
    for n in range(have, requests if exam else 0):
        db.session.add(
            VisitRequest(
                member_id=member_id,
                employee_id=employees[n % len(employees)],
                exam_type_id=exam,
                motive="Demande de visite médicale",
                status=RequestStatus.DONE,
                requested_at=start + timedelta(days=n),
                health_team_id=member.health_team_id,
            )
        )
    _add_documents(member_id, documents)
    have = db.session.scalar(select(func.count()).where(Invoice.member_id == member_id))
    for n in range(have, bills):
        line = billing.Line("Prestation", Decimal(1), Decimal(f"{10 + n}.00"), Decimal(0))
        invoices.issue(member, [line], issued_on=clock.today() - timedelta(days=n))
    _add_messages(member_id, messages)
    db.session.commit()


def _add_documents(member_id: int, count: int) -> None:
    have = db.session.scalar(select(func.count()).where(Document.member_id == member_id))
    kind = db.session.scalar(select(DocumentClass.id).order_by(DocumentClass.id))
    if kind is None or have >= count:
        return
    content = DocumentContent(data=b"%PDF-1.4 bench")
    db.session.add(content)
    for n in range(have, count):
        db.session.add(
            Document(
                member_id=member_id,
                direction=DocumentDirection.TO_SERVICE if n % 2 else DocumentDirection.TO_MEMBER,
                class_id=kind,
                description=f"Document {n}",
                filename="bench.pdf",
                content_type="application/pdf",
                size=14,
                sha256="0" * 64,
                content=content,
                sent_at=clock.now() - timedelta(minutes=n),
            )
        )


def _add_messages(member_id: int, count: int) -> None:
    have = db.session.scalar(select(func.count()).where(ContactMessage.member_id == member_id))
    kind = db.session.scalar(select(ContactType.id).order_by(ContactType.id))
    author = _author(member_id)
    for n in range(have, count if kind else 0):
        db.session.add(
            ContactMessage(
                member_id=member_id,
                type_id=kind,
                author_id=author.id,
                subject=f"Sujet {n}",
                body="Texte",
                status=contact.MessageStatus.NEW,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )


def measure(client, url: str, counter: StatementCounter, runs: int) -> dict:
    """Statements of each run, median wall and CPU milliseconds."""
    for _ in range(2):
        client.get(url)
    walls, cpus, statements = [], [], []
    for _ in range(runs):
        counter.count = 0
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        statements.append(counter.count)
        if response.status_code != 200:
            sys.exit(f"GET {url}: {response.status_code}")
    return {
        "statements": sorted(set(statements)),
        "ms": statistics.median(walls),
        "cpu": statistics.median(cpus),
    }


def _report(name: str, results: list[dict], limit: int, failures: list[str]) -> None:
    counts = [n for result in results for n in result["statements"]]
    ok = max(counts) <= limit and len(set(counts)) == 1
    if not ok:
        failures.append(name)
    cells = "".join(
        f"{'/'.join(map(str, r['statements'])):>6}{r['ms']:>8.1f}{r['cpu']:>8.1f}" for r in results
    )
    print(f"{name:<24}{cells}  {'PASS' if ok else 'FAIL'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL or the instance's SQLite")
    parser.add_argument("--runs", type=int, default=15, help="requests per page")
    parser.add_argument("--profile", metavar="URL", help="profile this page (pyinstrument)")
    args = parser.parse_args(argv)
    app = make_app(args.database_url)
    with app.app_context():
        subjects = find_subjects()
        usernames = [ensure_user(subject) for subject in subjects]
        for subject, label in zip(subjects, ("big", "small"), strict=True):
            add_rows(subject.member_id, *ROWS[label])
            subject.results["employee"] = db.session.scalar(
                select(func.min(Employee.id)).where(Employee.member_id == subject.member_id)
            )
        engine = db.engine
        print(f"Database: {engine.dialect.name}; big member {subjects[0].number} "
              f"({subjects[0].employees} employees), small {subjects[1].number} "
              f"({subjects[1].employees}); rows added (requests, documents, invoices, "
              f"messages): {ROWS}")  # fmt: skip
    clients = [login(app, username) for username in usernames]
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    failures: list[str] = []
    try:
        print(f"\nmedian of {args.runs} requests; statements, wall ms, CPU ms")
        print(f"{'anonymous':<24}{'stmts':>6}{'ms':>8}{'cpu':>8}")
        anonymous = app.test_client()
        for name, url in ANONYMOUS.items():
            _report(name, [measure(anonymous, url, counter, args.runs)], MAX_ANONYMOUS, failures)
        print(f"\n{'member':<24}{'big':>22}{'small':>22}")
        for name, url in PAGES.items():
            results = []
            for subject, client in zip(subjects, clients, strict=True):
                ids = {"last_page": subject.last_page, "member": subject.member_id}
                ids["employee"] = subject.results["employee"]
                results.append(measure(client, url.format(**ids), counter, args.runs))
            _report(name, results, MAX_STATEMENTS, failures)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    print(f"\n{'FAIL: ' + ', '.join(failures) if failures else 'PASS: every target met'}")
    if args.profile:
        profile(anonymous if args.profile in ANONYMOUS.values() else clients[1], args.profile)
    return 1 if failures else 0


def profile(client, url: str, requests: int = 50) -> None:
    from pyinstrument import Profiler

    client.get(url)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(requests):
        client.get(url)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    sys.exit(main())
