"""Commands of the background jobs (issue 13): `flask worker`, `flask send-outbox`."""

import click
from flask import current_app

from app.services import jobs


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst):
    """Run the background jobs from Redis (REDIS_URL); start one per core, on any machine."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException(
            "REDIS_URL is not set: without Redis the jobs run in the web process, no worker needed"
        )
    jobs.work(burst=burst)


@click.command("send-outbox")
def send_outbox_command():
    """Send the outbox's due e-mails now, retries included (cron, when there is no worker)."""
    from app.services import mail

    click.echo(str(mail.send_due(progress=None)))


def init_app(app) -> None:
    for command in (worker_command, send_outbox_command):
        app.cli.add_command(command)
