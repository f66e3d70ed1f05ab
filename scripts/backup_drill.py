"""Backup and restore drill on PostgreSQL (issue 13, "Operations").

    .venv/bin/python -m scripts.backup_drill postgresql://postgres@127.0.0.1:5432/portal
        [--target NAME] [--dump FILE] [--keep] [--login gestion]

1. counts the rows of every table of the source, the sequences' values and a fingerprint of
   every stored file (`document_content`: SHA-256 of each row's bytes, in SQL);
2. `pg_dump -Fc` of the source (the files are in it: they live in the database);
3. `pg_restore` into a fresh database (`<source>_drill` unless `--target`), dropped and created;
4. compares the same figures on the restored copy, and that every document's bytes still match
   the SHA-256 recorded at its upload, one of them read again through the ORM;
5. starts the application on the restored copy (`create_app`): `/healthz` must answer 200 and a
   staff user must log in and open the back-office home (`--login`, password in
   `DRILL_PASSWORD`; by default the demo's `gestion`);
6. prints the result and exits 1 on any mismatch or failure (2 when the URL is not PostgreSQL).

The restored database is dropped at the end unless `--keep`; the dump file is removed unless
`--dump` names where to keep it. The password of the URL travels in `PGPASSWORD`, never on the
command line of pg_dump.
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import database_url  # noqa: E402

DEMO_LOGIN = ("gestion", "Gestion-demo-2026")
FINGERPRINT = text(
    "SELECT count(*), coalesce(md5(string_agg(id || ':' || encode(sha256(data), 'hex'), ','"
    " ORDER BY id)), '') FROM document_content"
)
BAD_DOCUMENTS = text(
    "SELECT count(*) FROM document d JOIN document_content c ON c.id = d.content_id"
    " WHERE encode(sha256(c.data), 'hex') <> d.sha256"
)
TABLES = text(
    "SELECT table_name FROM information_schema.tables"
    " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
)
SEQUENCES = text(
    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    " ORDER BY sequencename"
)


class DrillError(RuntimeError):
    """The drill cannot run (bad URL, tool missing): exit 2."""


@dataclass
class Snapshot:
    counts: dict[str, int]
    sequences: dict[str, int | None]
    files: tuple[int, str]


@dataclass
class Result:
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def check(self, ok: bool, label: str) -> None:
        self.lines.append(f"  {'ok ' if ok else 'FAIL'} {label}")
        if not ok:
            self.problems.append(label)


def postgres_url(url: str) -> str:
    """The SQLAlchemy URL of a PostgreSQL database, or a DrillError that says why not."""
    normalised = database_url(url)
    if not normalised.startswith("postgresql"):
        raise DrillError(
            f"The backup drill needs a PostgreSQL database (pg_dump/pg_restore), not {url!r}: "
            "give a postgresql://user@host:5432/name URL."
        )
    if not make_url(normalised).database:
        raise DrillError(f"No database name in {url!r}.")
    return normalised


def _libpq(url: str) -> tuple[str, dict]:
    """A URL for pg_dump/pg_restore without its password, and the environment carrying it."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def snapshot(url: str) -> Snapshot:
    engine = create_engine(url, poolclass=None)
    try:
        with engine.connect() as conn:
            tables = list(conn.scalars(TABLES))
            counts = {t: conn.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in tables}
            sequences = dict(conn.execute(SEQUENCES).all())
            files = tuple(conn.execute(FINGERPRINT).one()) if "document_content" in counts else ()
    finally:
        engine.dispose()
    return Snapshot(counts, sequences, files)


def _admin(url: str):
    return create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=None
    )


def recreate(url: str) -> None:
    name = make_url(url).database
    engine = _admin(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop(url: str) -> None:
    engine = _admin(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise DrillError(f"{command[0]} is not installed (PostgreSQL client tools).") from error
    if done.returncode != 0:
        raise DrillError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[:500]}")


def dump(source: str, path: Path) -> None:
    url, env = _libpq(source)
    _run(["pg_dump", "-Fc", "--no-owner", "-f", str(path), "-d", url], env)


def restore(path: Path, target: str) -> None:
    recreate(target)
    url, env = _libpq(target)
    _run(["pg_restore", "--no-owner", "--exit-on-error", "-d", url, str(path)], env)


def compare(before: Snapshot, after: Snapshot, result: Result) -> None:
    tables = sorted(set(before.counts) | set(after.counts))
    differ = [t for t in tables if before.counts.get(t) != after.counts.get(t)]
    for table in differ:
        result.lines.append(
            f"       {table}: {before.counts.get(table)} -> {after.counts.get(table)} rows"
        )
    total = sum(before.counts.values())
    result.check(not differ, f"row counts of {len(tables)} tables ({total} rows)")
    result.check(before.sequences == after.sequences, f"{len(before.sequences)} sequences")
    result.check(
        before.files == after.files,
        f"fingerprint of the stored files ({before.files[0] if before.files else 0} files)",
    )


def check_documents(url: str, result: Result) -> None:
    engine = create_engine(url, poolclass=None)
    with engine.connect() as conn:
        bad = conn.scalar(BAD_DOCUMENTS)
    engine.dispose()
    result.check(bad == 0, f"every document's bytes match its recorded SHA-256 ({bad} differ)")


def check_app(url: str, login: tuple[str, str], result: Result) -> None:
    """The application on the restored copy: /healthz, one document read through the ORM, and a
    staff user's login and back-office home."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models.document import Document, DocumentContent

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "MAIL_SERVER": ""}
    )
    with app.app_context():
        document = db.session.scalar(select(Document).order_by(Document.id.desc()).limit(1))
        if document is not None:
            data = db.session.get(DocumentContent, document.content_id).data
            same = hashlib.sha256(data).hexdigest() == document.sha256
            result.check(same, f"document {document.id}'s checksum read through the application")
        db.session.remove()
    client = app.test_client()
    health = client.get("/healthz")
    result.check(health.status_code == 200, f"/healthz answers {health.status_code}")
    result.check(_logs_in(client, *login), f"{login[0]} logs in and opens the home page")
    with app.app_context():
        db.engine.dispose()


def _logs_in(client, username: str, password: str) -> bool:
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not token:
        return False
    form = {"username": username, "password": password, "csrf_token": token.group(1)}
    client.post("/login/", data=form)
    home = client.get("/", follow_redirects=True)
    return home.status_code == 200 and home.request.path == "/" and "logout" in home.text.lower()


def drill(source: str, target: str, dump_path: Path, login: tuple[str, str]) -> Result:
    result = Result()
    started = time.perf_counter()
    before = snapshot(source)
    dump(source, dump_path)
    dumped = time.perf_counter()
    restore(dump_path, target)
    restored = time.perf_counter()
    result.lines.append(
        f"  dump {dumped - started:.1f} s ({dump_path.stat().st_size / 1e6:.1f} MB), "
        f"restore {restored - dumped:.1f} s"
    )
    compare(before, snapshot(target), result)
    check_documents(target, result)
    check_app(target, login, result)
    return result


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="postgresql://user@host:5432/name of the loaded database")
    parser.add_argument("--target", help="name of the database to restore into")
    parser.add_argument("--dump", type=Path, help="keep the dump at this path")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--login", default=DEMO_LOGIN[0], help="a staff user (DRILL_PASSWORD)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _arguments(argv)
    try:
        source = postgres_url(args.source)
        name = args.target or f"{make_url(source).database}_drill"
        target = make_url(source).set(database=name).render_as_string(hide_password=False)
        if name == make_url(source).database:
            raise DrillError("The target must be another database than the source.")
    except DrillError as error:
        print(f"backup drill: {error}", file=sys.stderr)
        return 2
    password = os.environ.get("DRILL_PASSWORD") or (
        DEMO_LOGIN[1] if args.login == DEMO_LOGIN[0] else ""
    )
    workdir = Path(tempfile.mkdtemp(prefix="drill-"))
    dump_path = args.dump or workdir / "portal.dump"
    print(f"backup drill: {make_url(source).database} -> {name}")
    try:
        result = drill(source, target, dump_path, (args.login, password))
    except (DrillError, OperationalError) as error:
        print(f"backup drill: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            drop(target)
        if not args.dump:
            dump_path.unlink(missing_ok=True)
            workdir.rmdir()
    print("\n".join(result.lines))
    print(
        "backup drill: "
        + ("OK" if not result.problems else "FAILED: " + "; ".join(result.problems))
    )
    return 1 if result.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
