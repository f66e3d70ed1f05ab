"""The planner's statistics are gathered after a bulk load (issue 13, "Throughput"): `flask
demo-data` runs ANALYZE, so SQLite's planner no longer guesses (it walked the wrong index for the
reports without them). On SQLite, a connection that closes runs PRAGMA optimize."""

from sqlalchemy import text

from app.extensions import db


def _analysed(app) -> set[str]:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            kept = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            if not db.session.scalar(text(kept)):
                return set()
            query = "SELECT DISTINCT tbl FROM sqlite_stat1"
        else:
            query = "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
        return set(db.session.scalars(text(query)))


def test_demo_data_leaves_statistics_for_the_planner(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            db.session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
            db.session.commit()
        assert "employee" not in _analysed(app)
    with app.app_context():  # plain click commands: the caller gives the app context
        result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert {"employee", "visit_request", "member"} <= _analysed(app)
