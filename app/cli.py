"""Commands: `flask --app run setup | load-reference-data | demo-data` (they own their commit)."""

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import func, select

from app import planner_statistics
from app.cli_jobs import background_option, hand_over
from app.extensions import db

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"


@click.command("setup")
def setup_command():
    """Create the roles (built-in, from app.permissions) and load the reference data."""
    from app.services import reference_data, roles

    created = roles.ensure_roles(current_app.appbuilder.sm)
    counts = reference_data.load_all(REFERENCE_DIR)
    db.session.commit()
    planner_statistics.refresh()
    click.echo(f"roles created: {created}; reference rows added: {counts}")


@click.command("load-reference-data")
@click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path))
def load_reference_data_command(source):
    """Insert the reference rows missing from the database (staff edits are kept)."""
    from app.services import reference_data

    counts = reference_data.load_all(source or REFERENCE_DIR)
    db.session.commit()
    click.echo(f"reference rows added: {counts}")


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Only when the database has no member yet.")
def demo_data_command(if_empty):
    """Load the demo accounts and members (idempotent)."""
    from app.demo import load as demo
    from app.models.member import Member

    if if_empty and db.session.scalar(select(func.count(Member.id))):
        click.echo("members already present: demo data not loaded")
        return
    demo.load(REFERENCE_DIR)
    db.session.commit()
    planner_statistics.refresh()
    click.echo("demo data loaded (accounts in README.md)")


@click.command("recompute-categories")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option("--risk", "risks", multiple=True, help="Only the holders of this risk code.")
@click.option("--batch", default=5000, show_default=True, help="Employees per transaction.")
@background_option
def recompute_categories_command(day, risks, batch, background):
    """Recompute the employees' follow-up categories for a day (after a change of the law or of
    the catalogue), then the due dates of those that changed; one commit per batch."""
    from app import clock
    from app.models.risk import Risk
    from app.services import recompute

    risk_ids = None
    if risks:
        found = dict(
            db.session.execute(select(Risk.code, Risk.id).where(Risk.code.in_(risks))).all()
        )
        if unknown := sorted(set(risks) - set(found)):
            raise click.BadParameter(", ".join(unknown), param_hint="--risk")
        risk_ids = sorted(found.values())
    day = day.date() if day else clock.today()
    if background:
        return hand_over("recompute_categories", day=day.isoformat(), risk_ids=risk_ids)
    changed = recompute.categories(day, risk_ids, batch=batch, progress=_progress)
    click.echo(f"categories recomputed: {changed} employees changed (due dates refreshed)")


@click.command("refresh-due-dates")
@click.option("--batch", default=5000, show_default=True, help="Employees per transaction.")
@background_option
def refresh_due_dates_command(batch, background):
    """Recompute every employee's next visit due date (e.g. after an import); one commit per
    batch, only the rows that differ are written."""
    from app.services import recompute

    if background:
        return hand_over("refresh_due_dates")
    changed = recompute.due_dates(batch=batch, progress=_progress)
    click.echo(f"due dates refreshed: {changed} employees changed")


def _progress(done: int, total: int) -> None:
    click.echo(f"  {done}/{total}", err=True)


@click.command("close-exited-requests")
def close_exited_requests_command():
    """Cancel the open visit requests of employees whose end of contract has passed (run daily:
    an end date entered in advance closes the requests on that day; issue 9)."""
    from app.services import mail, visits

    ids = visits.close_all_exited()
    db.session.commit()
    mail.deliver(ids)
    click.echo(f"requests closed by an exit: {len(ids)} mails to the teams")


def _send_campaign_mails(year: int, kind_name: str) -> None:
    """The campaign's invitation or reminder e-mails, by batches committed one at a time (a
    second run, or a run resumed after a stop, mails nobody twice; issue 11)."""
    from app.models.billing import MailingKind
    from app.services import campaign_mailings, declarations

    campaign = declarations.campaign_of(year)
    if campaign is None:
        raise click.ClickException(f"no declaration campaign for {year}")
    queued = campaign_mailings.send(
        campaign,
        MailingKind(kind_name),
        progress=lambda done, total: click.echo(f"{done}/{total} adhérents"),
    )
    click.echo(f"{kind_name}: {queued} mails queued and delivered")


@click.command("campaign-invite")
@click.argument("year", type=int)
@background_option
def campaign_invite_command(year, background):
    """Send the campaign's invitation to every active member's users who want the campaign notice
    (by default its administrator and portal contacts)."""
    if background:
        return hand_over("campaign_mailing", year=year, mailing="invitation")
    _send_campaign_mails(year, "invitation")


@click.command("campaign-remind")
@click.argument("year", type=int)
@background_option
def campaign_remind_command(year, background):
    """Remind the members with employees whose declaration of the year is not confirmed."""
    if background:
        return hand_over("campaign_mailing", year=year, mailing="reminder")
    _send_campaign_mails(year, "reminder")


@click.command("invoice-declarations")
@click.argument("year", type=int)
@click.option(
    "--unconfirmed",
    is_flag=True,
    help="First confirm, on the service's behalf, the active members with employees that did not.",
)
@background_option
def invoice_declarations_command(year, unconfirmed, background):
    """Invoice every live declaration of the year that has no invoice, by batches committed one
    at a time (resumable: a second run creates nothing; issue 11)."""
    from app.services import ServiceError, declarations, invoice_runs

    if background:
        return hand_over("invoice_declarations", year=year, unconfirmed=unconfirmed)
    campaign = declarations.campaign_of(year)
    if campaign is None:
        raise click.ClickException(f"no declaration campaign for {year}")
    try:
        outcome = invoice_runs.run(
            campaign,
            unconfirmed=unconfirmed,
            progress=lambda step, done, total: click.echo(f"{step}: {done}/{total}"),
        )
    except ServiceError as error:
        raise click.ClickException(f"{year}: {error.code}") from error
    click.echo(
        f"{year}: {outcome.confirmed} declarations confirmed by the service, "
        f"{outcome.invoiced} invoices issued, {len(outcome.failed)} failures"
    )
    for failure in outcome.failed:
        click.echo(f"failed: {failure}", err=True)


@click.command("send-reminders")
@click.option("--duerp", is_flag=True, help="The DUERP yearly reminder.")
@click.option("--nci", is_flag=True, help="The attestations de non contre-indication ending.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(min=1))
@background_option
def send_reminders_command(duerp, nci, batch, background):
    """Send the reminders that concern many members (both kinds without an option), by batches
    committed one at a time; a second run sends nothing twice (issue 12)."""
    from app import clock
    from app.services import reminders

    today = clock.today()
    if background:
        chosen = [name for name, on in (("duerp", duerp), ("nci", nci)) if on] or ["duerp", "nci"]
        return hand_over("reminders", kinds=chosen, day=today.isoformat())
    kinds = [("duerp", reminders.send_duerp), ("nci", reminders.send_nci)]
    for name, send in kinds:
        if (duerp or nci) and not {"duerp": duerp, "nci": nci}[name]:
            continue
        outcome = send(
            today,
            batch_size=batch,
            progress=lambda done, total, name=name: click.echo(f"{name}: {done}/{total} adhérents"),
        )
        click.echo(
            f"{name}: {outcome.members} adhérent(s) traité(s), "
            f"{outcome.mails} e-mail(s) en file d'envoi"
        )


def init_app(app) -> None:
    for command in (
        setup_command,
        load_reference_data_command,
        demo_data_command,
        recompute_categories_command,
        refresh_due_dates_command,
        close_exited_requests_command,
        campaign_invite_command,
        campaign_remind_command,
        invoice_declarations_command,
        send_reminders_command,
    ):
        app.cli.add_command(command)
    from app import cli_bench, cli_jobs  # flask bench-data (benchmarks); worker, send-outbox

    cli_bench.init_app(app)
    cli_jobs.init_app(app)
