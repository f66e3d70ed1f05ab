"""Load test of the January peak (issue 13, "Throughput"), through the real HTTP stack:

    .venv/bin/python -m bench.loadtest [--database-url postgresql://postgres@127.0.0.1:5432/h4_load]
        [--members 200] [--employees 4000] [--users 20] [--duration 60] [--workers 2]

1. recreates the database (PostgreSQL), loads the demo, `--members` synthetic members sharing
   `--employees` employees and one administrator account each (`bench<number>`), and runs
   VACUUM ANALYZE;
2. starts gunicorn with gunicorn.conf.py and production settings (`PORTAL_ENV=production`, a
   random key, rate limits in Redis db 5 (`--redis`), flushed first). Two settings differ from a
   real deployment and are said so: the login limits are raised (every bench user comes from
   127.0.0.1 and logs in again and again; the limits themselves are tested elsewhere) and
   cookies are not `Secure` (plain HTTP on loopback, no TLS proxy). The DUERP question at login
   is off (the bench members have no DUERP);
3. runs locust headless (bench/locustfile.py) on loopback: `--users` members at once, no think
   time, each logging in, listing its employees, opening its declaration and confirming it once,
   and logging in again now and then; `/healthz` (the load balancer's probe) and a bare Flask
   "hello" (bench/hello_app.py, its own gunicorn with as many workers, `--port` + 1) are
   requested in the same run, the latter as the bare route the ratios are taken against;
4. prints per route the requests, failures, req/s and the client's median and p95 (locust), the
   server's median and p95 (the application's request log lines), then the confirmations and
   invoices made (one each per member, none twice).

Locust and gunicorn share the machine's cores: the figures are a floor, not a capacity.
"""

import argparse
import csv
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import redis
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from app import clock, create_app
from app.cli import REFERENCE_DIR
from app.demo import load as demo
from app.demo import synthetic
from app.extensions import db
from app.models.billing import Declaration, Invoice
from app.models.user import PortalUser
from app.permissions import ROLE_MEMBER, ROLE_MEMBER_ADMIN
from app.services.accounts import hash_password, role_named
from config import database_url
from tests import databases

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Bench-load-2026-peak"
ROUTES = {  # locust's request names -> the route pattern in the request log
    "/login/ (form)": ("GET", "/login/"),
    "/login/ (POST)": ("POST", "/login/"),
    "/employees/": ("GET", "/employees/"),
    "/declaration/": ("GET", "/declaration/"),
    "/declaration/confirm (POST)": ("POST", "/declaration/confirm"),
    "/healthz (probe)": ("GET", "/healthz"),
    "/hello (bare Flask)": ("GET", "/hello"),
}


def prepare(url: str, members: int, employees: int) -> list[str]:
    """A fresh database with the demo, the bench members and one administrator each."""
    databases.reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        demo.load(REFERENCE_DIR)
        synthetic.generate(members, employees, big=max(20, employees // 5), seed=7)
        db.session.commit()
        synthetic.settle()
        roles = [role_named(ROLE_MEMBER), role_named(ROLE_MEMBER_ADMIN)]
        hashed = hash_password(PASSWORD)  # one scrypt for all: the same password
        usernames = []
        for member_id, number in sorted(synthetic.bench_member_ids().items()):
            username = f"bench{number}"
            db.session.add(
                PortalUser(
                    username=username,
                    password=hashed,
                    active=True,
                    roles=roles,
                    member_id=member_id,
                    first_name="Bench",
                    last_name=number,
                    email=f"{username}@bench.example",
                )
            )
            usernames.append(username)
        db.session.commit()
        db.engine.dispose()
    with db_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return usernames


def db_engine(url: str):
    from sqlalchemy import create_engine

    return create_engine(url, poolclass=None)


def server_env(url: str, redis_url: str, port: int, workers: int) -> dict:
    return {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "AUTH_RATE_LIMIT": "100000 per minute",
        "AUTH_ACCOUNT_RATE_LIMIT": "100000 per minute",
        "SESSION_COOKIE_SECURE": "0",
        "DUERP_ASK_AT_LOGIN": "0",
        "MAIL_SERVER": "",
        "PORTAL_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "LOG_FORMAT": "json",
        "TRUSTED_PROXIES": "0",
    }


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def run_locust(
    port: int, users: int, duration: int, accounts: list[str], out: Path, alone: str = ""
) -> Path:
    env = {
        **os.environ,
        "BENCH_ACCOUNTS": ",".join(accounts),
        "BENCH_PASSWORD": PASSWORD,
        "BENCH_HELLO_URL": f"http://127.0.0.1:{port + 1}/",
        "BENCH_ALONE": alone,
    }
    prefix = out / ("locust" + (f"-{len(list(out.glob('locust-*stats.csv')))}" if alone else ""))
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 2)),
        "--run-time",
        f"{duration}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with (out / "locust.log").open("w") as sink:
        subprocess.run(command, env=env, check=False, cwd=ROOT, stdout=sink, stderr=sink)
    return Path(f"{prefix}_stats.csv")


def server_times(log: Path) -> dict[tuple[str, str], list[float]]:
    """Durations (ms) per (method, route) from the application's request log lines."""
    times = defaultdict(list)
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            try:
                fields = json.loads(line)
            except ValueError:  # two workers' lines run together now and then: skipped
                continue
            times[(fields["method"], fields["route"])].append(fields["duration_ms"])
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else (values or [0])[0]


def report(stats: Path, times: dict) -> None:
    """locust's view (req/s in this mix, client latency) and the server's (its log lines' time
    per request). The share of the bare route is measured by `--alone`, each route on its own:
    in a mix, the server's time per request leaves out the HTTP work gunicorn does around it,
    which is most of a bare route's cost."""
    rows = {row["Name"]: row for row in csv.DictReader(stats.open())}
    print(f"{'route':28} {'reqs':>5} {'fail':>4} {'req/s':>6} {'p50':>5} {'p95':>5} | server "
          f"{'p50':>6} {'p95':>6}")  # fmt: skip
    for name, key in ROUTES.items():
        row, server = rows.get(name), times.get(key, [])
        if row is None or not server:
            continue
        print(f"{name:28} {row['Request Count']:>5} {row['Failure Count']:>4} "
              f"{float(row['Requests/s']):>6.1f} {row['50%']:>5} {row['95%']:>5} | server "
              f"{statistics.median(server):>6.1f} {p95(server):>6.1f}")  # fmt: skip
    total = rows.get("Aggregated")
    if total:
        count, failures, rate = total["Request Count"], total["Failure Count"], total["Requests/s"]
        print(f"{'all':28} {count:>5} {failures:>4} {float(rate):>6.1f} {total['50%']:>5} "
              f"{total['95%']:>5}   (client times in ms)")  # fmt: skip


ALONE_ROUTES = ("/login/", "/employees/")


def alone(port: int, users: int, duration: int, accounts: list[str], out: Path) -> None:
    """Each route alone, in a closed loop, as the issue measured them: req/s and p95 of each,
    and its share of the bare Flask hello's req/s measured the same way in the same run."""
    hello = f"http://127.0.0.1:{port + 1}/"
    figures = {}
    for route in (hello, *ALONE_ROUTES):
        stats = run_locust(port, users, duration, accounts, out, alone=route)
        row = {r["Name"]: r for r in csv.DictReader(stats.open())}["Aggregated"]
        figures[route] = (float(row["Requests/s"]), row["95%"], row["Failure Count"])
    bare = figures[hello][0] or 1
    print(f"each route alone, {users} users, {duration} s each:")
    for route, (rate, p95_ms, failures) in figures.items():
        name = "/hello (bare Flask)" if route == hello else route
        print(f"  {name:28} {rate:>7.1f} req/s  p95 {p95_ms:>5} ms  fail {failures:>3}  "
              f"{rate / bare:>6.1%} of bare")  # fmt: skip


def check(url: str, usernames: list[str]) -> tuple[int, int, int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    year = clock.today().year
    with app.app_context():
        members = select(PortalUser.member_id).where(PortalUser.username.in_(usernames))
        declared = db.session.execute(
            select(Declaration.member_id, func.count())
            .where(Declaration.year == year, Declaration.member_id.in_(members))
            .where(Declaration.reopened_at.is_(None))
            .group_by(Declaration.member_id)
        ).all()
        invoiced = db.session.execute(
            select(Invoice.member_id, func.count())
            .where(Invoice.year == year, Invoice.member_id.in_(members))
            .group_by(Invoice.member_id)
        ).all()
        db.engine.dispose()
    duplicates = sum(n - 1 for _, n in declared) + sum(n - 1 for _, n in invoiced)
    return len(declared), len(invoiced), duplicates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/h4_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--employees", type=int, default=4000, help="In all, spread over them.")
    parser.add_argument("--users", type=int, default=20, help="Locust users at once.")
    parser.add_argument("--duration", type=int, default=60, help="Seconds of load.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-prepare", action="store_true", help="Reuse the database.")
    parser.add_argument(
        "--alone", type=int, default=0, metavar="SECONDS",
        help="Also measure the bare route, the login page and the employee list each alone.",
    )  # fmt: skip
    args = parser.parse_args()
    url = database_url(args.database_url)
    if not url.startswith("postgresql"):
        print("bench.loadtest: a PostgreSQL database is needed (--database-url).", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.skip_prepare:
        usernames = [f"bench{n}" for n in range(500000, 500000 + args.members)]
    else:
        usernames = prepare(url, args.members, args.employees)
    print(f"prepared {len(usernames)} members in {time.perf_counter() - started:.0f} s")
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average before the run {load}")
    redis.Redis.from_url(args.redis).flushdb()  # the rate-limit counters of an earlier run
    out = Path(tempfile.mkdtemp(prefix="loadtest-"))
    log, hello_log = out / "gunicorn.log", out / "hello.log"
    with log.open("w") as sink, hello_log.open("w") as hello_sink:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=server_env(url, args.redis, args.port, args.workers),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        hello = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{args.port + 1}", "bench.hello_app:app"],
            cwd=ROOT,
            stdout=hello_sink,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(f"http://127.0.0.1:{args.port}/healthz")
            wait_for(f"http://127.0.0.1:{args.port + 1}/")
            stats = run_locust(args.port, args.users, args.duration, usernames, out)
            if args.alone:
                alone(args.port, args.users, args.alone, usernames, out)
        finally:
            for process in (server, hello):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    print(f"gunicorn {args.workers} sync workers, {args.users} locust users, {args.duration} s, "
          f"PostgreSQL, rate limits in Redis; logs in {out}")  # fmt: skip
    report(stats, {**server_times(log), **server_times(hello_log)})
    declared, invoiced, duplicates = check(url, usernames)
    print(f"declarations confirmed {declared}, invoices {invoiced}, duplicates {duplicates}")
    return 0 if duplicates == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
