"""The query planner's statistics kept current (issue 13, "Throughput").

SQLite never gathers statistics by itself: without `sqlite_stat1` its planner guesses, and on
the synthetic data set (`bench-data`) it walked the wrong index for the reports (0.7 to 2.3 s a
page for the 20,000-employee member; 45 to 64 ms after `ANALYZE`). PostgreSQL's autovacuum
analyses tables as they change, but not at once after a bulk load.

- `refresh()` runs `ANALYZE` after the bulk loads (`flask setup`, `demo-data`, `bench-data`):
  exact statistics at once, whatever the database.
- On SQLite, every new connection runs `PRAGMA optimize=0x10002` (what the SQLite documentation
  recommends for long-lived connections: from SQLite 3.46 it analyses, with a bounded cost, the
  tables never analysed or grown 25-fold; older versions do nothing there), and a connection
  being closed runs `PRAGMA optimize` with `analysis_limit` (any version: the tables its own
  queries used, when unanalysed or grown 25-fold). Both cost next to nothing when the statistics
  are current, and run outside the statements a request counts.
"""

import sqlite3

from sqlalchemy import event, text

from app.extensions import db

ANALYSIS_LIMIT = 1000  # rows read per index by an ANALYZE that PRAGMA optimize starts


def refresh() -> None:
    """ANALYZE every table (after a bulk load; the caller has committed)."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _pragmas(dbapi_connection, *statements: str) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        for statement in statements:
            dbapi_connection.execute(statement)
    except sqlite3.Error:  # a busy or read-only database: statistics can wait
        pass


def _on_connect(dbapi_connection, _record) -> None:
    _pragmas(dbapi_connection, "PRAGMA optimize=0x10002")


def _on_close(dbapi_connection, _record) -> None:
    _pragmas(dbapi_connection, f"PRAGMA analysis_limit={ANALYSIS_LIMIT}", "PRAGMA optimize")


def init_app(app) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "close", _on_close)
