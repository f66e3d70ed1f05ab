"""Timing of a campaign's invitation to every active member (issue 11, "never inside one web
request ... a command or a background job, with progress") and of the campaign's progress
queries with that many members: the members of the demo plus `--members` synthetic ones, each
with one portal contact, no SMTP server (the mails stay in the outbox). A script, not a timed
test.

    .venv/bin/python -m bench.campaign_mailings [--members 14000]   # a fresh SQLite database
    .venv/bin/python -m bench.campaign_mailings --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

import argparse
import time

from sqlalchemy import func, select, text

from app import clock
from app.demo import synthetic
from app.extensions import db
from app.models.account import OutboxMail
from app.models.billing import CampaignMailing, MailingKind
from app.models.member import Member
from app.services import campaign_mailings, campaign_progress, campaigns, declarations
from bench.access_timing import _app
from bench.document_sending import _contacts


def _analyze() -> None:
    """On PostgreSQL, the planner statistics of the tables the invitation filled (autovacuum's
    steady state; a plan made on an empty campaign_mailing table scans it per member)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("campaign_mailing", "outbox_mail", "ab_user"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def _timed(label: str, work):
    start = time.perf_counter()
    result = work()
    print(f"  {label}: {time.perf_counter() - start:.2f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=14000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    app = _app(args.database_url)
    with app.app_context():
        synthetic._insert(Member.__table__, synthetic._member_rows(args.members, clock.today()))
        _contacts(synthetic.bench_member_ids())
        db.session.commit()
        synthetic.settle()
        today, year = clock.today(), clock.today().year
        campaign = declarations.campaign_of(year)
        print(f"{db.engine.dialect.name}:")

        def progress(done, total):
            if done % 5000 < 500 or done == total:
                print(f"    {done}/{total} adhérents")

        queued = _timed(
            "invitation (batches of 500, committed and delivered each)",
            lambda: campaign_mailings.send(campaign, MailingKind.INVITATION, progress=progress),
        )
        again = _timed(
            "second run, right after",
            lambda: campaign_mailings.send(campaign, MailingKind.INVITATION),
        )
        _analyze()
        again += _timed(
            "second run, tables analysed (as autovacuum does)",
            lambda: campaign_mailings.send(campaign, MailingKind.INVITATION),
        )
        filters = campaign_progress.Filters()
        _timed("campaigns list", lambda: campaigns.overview(today))
        _timed("progress counts", lambda: campaign_progress.counts(year, today))
        _timed("progress page 1", lambda: campaign_progress.page(year, filters, today, 0, 50))
        _timed("progress last page", lambda: campaign_progress.page(year, filters, today, 300, 50))
        _timed("mailing counters", lambda: campaign_mailings.state(campaign))
        rows = _timed(
            "export rows", lambda: sum(1 for _ in campaign_progress.all_rows(year, filters, today))
        )
        mailed = db.session.scalar(select(func.count(CampaignMailing.id)))
        outbox = db.session.scalar(select(func.count(OutboxMail.id)))
    print(
        f"  {queued} mails queued, second run {again}; {mailed} members marked, "
        f"{outbox} in the outbox; export {rows} rows"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
