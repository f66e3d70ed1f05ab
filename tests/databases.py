"""Test databases: SQLite files by default, PostgreSQL when TEST_DATABASE_URL or DATABASE_URL
points at one. A template is built once (migrations, roles, reference and demo data) and every
test gets a fresh copy of it (a file copy, or CREATE DATABASE ... TEMPLATE)."""

import os
import shutil
import sys
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from config import database_url


def server_url() -> str | None:
    """The PostgreSQL URL under test, or None for SQLite."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return None
    normalised = database_url(url)
    return normalised if normalised.startswith("postgresql") else None


def _admin_engine(url: str):
    return create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=None
    )


def recreate_postgres(url: str, template: str | None = None) -> None:
    name = make_url(url).database
    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    engine.dispose()


class Databases:
    def __init__(self, workdir: Path):
        self.server = server_url()
        self.workdir = workdir
        if self.server:
            base = make_url(self.server)
            self.template_url = base.set(database=f"{base.database}_template").render_as_string(
                hide_password=False
            )
            self.test_url = base.set(database=f"{base.database}_run").render_as_string(
                hide_password=False
            )
        else:
            self.template_url = f"sqlite:///{workdir / 'template.db'}"
            self.test_url = f"sqlite:///{workdir / 'test.db'}"

    def empty_template(self) -> str:
        if self.server:
            recreate_postgres(self.template_url)
        return self.template_url

    def fresh(self) -> str:
        if self.server:
            recreate_postgres(self.test_url, template=make_url(self.template_url).database)
        else:
            shutil.copyfile(self.workdir / "template.db", self.workdir / "test.db")
        return self.test_url


def reset(url: str) -> None:
    """An empty database at `url` (for `make db-check`)."""
    url = make_url(database_url(url))
    if url.drivername.startswith("sqlite"):
        Path(url.database).unlink(missing_ok=True)
    else:
        recreate_postgres(url.render_as_string(hide_password=False))


if __name__ == "__main__":
    reset(sys.argv[1])
