"""The backup and restore drill (scripts/backup_drill.py, issue 13 "Operations"). On PostgreSQL it
runs for real on the test database (the demo: every table, documents stored in the database),
then a damaged restore must be caught; on SQLite the script must refuse the URL and say why."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from scripts import backup_drill
from tests.databases import server_url

ROOT = Path(__file__).resolve().parent.parent


def _refuses(url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.backup_drill", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "needs a PostgreSQL database" in done.stderr
    assert "backup drill: OK" not in done.stdout


def test_the_drill_refuses_a_database_that_is_not_postgresql(tmp_path):
    _refuses(f"sqlite:///{tmp_path / 'portal.db'}")


def _damage(url: str) -> None:
    engine = create_engine(url, poolclass=None)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id IN (SELECT min(id) FROM audit_entry)"))
        conn.execute(
            text(
                "UPDATE document_content SET data = data || '\\x00'::bytea"
                " WHERE id = (SELECT min(content_id) FROM document)"
            )
        )
    engine.dispose()


def test_backup_drill_restores_everything_and_catches_a_damaged_copy(databases, tmp_path, capsys):
    if not server_url():
        # SQLite (CI's first run): the drill must say it needs PostgreSQL, not pass silently.
        _refuses(databases.fresh())
        return
    source = databases.fresh()
    target_name = f"{make_url(source).database}_drill"
    target = make_url(source).set(database=target_name).render_as_string(hide_password=False)
    dump = tmp_path / "portal.dump"
    try:
        assert backup_drill.main([source, "--keep", "--dump", str(dump)]) == 0
        out = capsys.readouterr().out
        assert "backup drill: OK" in out and "FAIL" not in out
        assert "/healthz answers 200" in out and "gestion logs in" in out
        assert dump.stat().st_size > 0

        before = backup_drill.snapshot(backup_drill.postgres_url(source))
        assert before.files[0] > 0 and before.counts["document"] > 0
        _damage(target)
        result = backup_drill.Result()
        backup_drill.compare(before, backup_drill.snapshot(target), result)
        backup_drill.check_documents(target, result)
        assert len(result.problems) == 3
        assert any("audit_entry" in line for line in result.lines)
    finally:
        backup_drill.drop(target)
