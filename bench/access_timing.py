"""Timing of the anonymous account screens (issue 8, item 6: enumeration by timing), a script,
not a timed test: median server time of a failed login naming an unknown identifier against an
existing one (wrong password), and of a forgotten-password answer that matches a portal contact
against one that does not. Rate limits and the account lock are off so that every attempt takes
the same path; requests alternate so that drift hits both sides.

    .venv/bin/python -m bench.access_timing [--rounds 60]   # a fresh SQLite demo database
    .venv/bin/python -m bench.access_timing --database-url postgresql://postgres@127.0.0.1:5432/timing
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.cli import REFERENCE_DIR
from app.demo import load as demo
from app.extensions import db
from bench.employees import CSRF
from config import database_url
from tests import databases

TARGET_RATIO = 1.10  # medians within 10 % of each other


def _app(url: str | None):
    """A fresh database (recreated on PostgreSQL) with the demo data."""
    url = database_url(url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'timing.db'}")
    databases.reset(url)
    settings = {"RATELIMIT_ENABLED": False, "AUTH_LOCK_THRESHOLD": 0, "MAIL_SERVER": ""}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **settings})
    with app.app_context():
        upgrade()
        demo.load(REFERENCE_DIR)
        db.session.commit()
    return app


def _timed(client, url: str, data: dict) -> float:
    page = client.get(url).get_data(as_text=True)
    match = CSRF.search(page)
    data = {**data, "csrf_token": match.group(1) or match.group(2)}
    start = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = time.perf_counter() - start
    response.close()  # the deferred work runs here, outside the measured answer
    return elapsed


def compare(app, url: str, sides: dict, rounds: int) -> dict:
    times = {name: [] for name in sides}
    client = app.test_client()
    for _ in range(rounds):
        for name, data in sides.items():
            times[name].append(_timed(client, url, data))
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    app = _app(args.database_url)
    wrong = "Not-the-password-2026"
    results = {
        "login": compare(
            app,
            "/login/",
            {
                "unknown identifier": {"username": "nobody-here", "password": wrong},
                "existing identifier": {"username": "ets10250", "password": wrong},
            },
            args.rounds,
        ),
        "forgotten password": compare(
            app,
            "/access/forgot-password",
            {
                "no match": {"number": "10250", "email": "inconnu@example.org"},
                "match": {"number": "10250", "email": "bernard@boulangerie-demo.example"},
            },
            args.rounds,
        ),
    }
    ok = True
    for screen, medians in results.items():
        (a, ta), (b, tb) = medians.items()
        ratio = max(ta, tb) / min(ta, tb)
        ok &= ratio <= TARGET_RATIO
        print(f"{screen:20} {a}: {ta:6.1f} ms   {b}: {tb:6.1f} ms   ratio {ratio:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
