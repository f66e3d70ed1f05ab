"""Commands of the background jobs (issue 13): `flask worker`, `flask send-outbox`, and the
`--background` option of the batch commands (cron hands the work to the queue; staff follow it
under Tâches de fond)."""

import click
from flask import current_app

from app.extensions import db
from app.models.job import Job
from app.services import jobs

background_option = click.option(
    "--background",
    is_flag=True,
    help="Hand the work to the job queue (flask worker) and return; staff follow it in the "
    "back-office. Without REDIS_URL it runs here, recorded as a job all the same.",
)


def hand_over(kind: str, **params) -> None:
    """Start the job and say where it is (its outcome too when it ran here)."""
    job_id = jobs.start(kind, **params)
    job = db.session.get(Job, job_id)
    click.echo(
        f"job {job_id} ({kind}): {job.status.value}" + (f", {job.outcome}" if job.outcome else "")
    )
    if job.error:
        raise click.ClickException(job.error)


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
