"""The background jobs' tasks (issue 13), registered by kind for app.services.jobs.

Each task takes `progress(done, total)` and JSON-able parameters (ids, dates as ISO strings),
does its work by batches committed one at a time through the use cases of app/services, and
returns its outcome in the staff's words. Every one is idempotent: run twice, or relaunched after
a failure, it does only what is still missing.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from app import clock
from app.services.jobs import task

OUTBOX_RUNS_KEPT = timedelta(days=30)  # the outbox's done runs; the mails themselves stay


def _day(value: str | None) -> date:
    return date.fromisoformat(value) if value else clock.today()


@task("outbox", _l("Sending the outbox's e-mails"), single=True)
def send_outbox(progress) -> str:
    from app.services import jobs, mail

    outcome = mail.send_due(progress=progress)
    if outcome.retry_at is not None:
        jobs.start_at(outcome.retry_at, "outbox")
    jobs.prune("outbox", OUTBOX_RUNS_KEPT)
    return str(outcome)


@task("recompute_categories", _l("Follow-up categories recomputed"))
def recompute_categories(progress, day: str | None = None, risk_ids=None) -> str:
    from app.services import recompute

    changed = recompute.categories(_day(day), risk_ids, progress=progress)
    return f"{changed} salarié(s) changent de catégorie (échéances recalculées)"


@task("refresh_due_dates", _l("Next visit due dates refreshed"))
def refresh_due_dates(progress, employee_ids=None) -> str:
    from app.services import recompute

    changed = recompute.due_dates(employee_ids, progress=progress)
    return f"{changed} échéance(s) modifiée(s)"


@task("reminders", _l("Reminders (DUERP, NCI)"))
def send_reminders(progress, kinds=("duerp", "nci"), day: str | None = None) -> str:
    from app.services import reminders

    today, parts = _day(day), []
    senders = {"duerp": reminders.send_duerp, "nci": reminders.send_nci}
    for kind in kinds:
        outcome = senders[kind](today, progress=progress)
        parts.append(f"{kind.upper()} : {outcome.members} adhérent(s), {outcome.mails} e-mail(s)")
    return " ; ".join(parts)


@task("campaign_mailing", _l("Campaign e-mails"))
def campaign_mailing(progress, year: int, mailing: str) -> str:
    from app.models.billing import MailingKind
    from app.services import campaign_mailings, declarations

    campaign = declarations.campaign_of(year)
    if campaign is None:
        raise LookupError(f"aucune campagne de déclaration pour {year}")
    queued = campaign_mailings.send(campaign, MailingKind(mailing), progress=progress)
    return f"{queued} e-mail(s) mis en file d'envoi"


@task("invoice_declarations", _l("Invoicing the year's declarations"))
def invoice_declarations(progress, year: int, unconfirmed: bool = False) -> str:
    from app.services import declarations, invoice_runs

    campaign = declarations.campaign_of(year)
    if campaign is None:
        raise LookupError(f"aucune campagne de déclaration pour {year}")
    outcome = invoice_runs.run(
        campaign, unconfirmed=unconfirmed, progress=lambda _step, done, total: progress(done, total)
    )
    text = (
        f"{outcome.confirmed} déclaration(s) confirmée(s) par le service, "
        f"{outcome.invoiced} facture(s) émise(s), {len(outcome.failed)} échec(s)"
    )
    if outcome.failed:
        text += " : " + ", ".join(outcome.failed[:10])
    return text


@task("document_sending", _l("Sending a document to members"))
def document_sending(
    progress, sending: dict, actor_id: int | None = None, every_active=False, member_ids=None
) -> str:
    from app.services import document_sending as sender
    from app.services.documents import Sending

    members, mails = sender.run(
        Sending.from_params(sending), actor_id, every_active, member_ids, progress=progress
    )
    if not members:
        progress(0, 0, force=True)
    return f"{members} document(s) envoyé(s), {mails} e-mail(s) mis en file d'envoi"


@task("employee_import_check", _l("Employee import: checking the file"))
def employee_import_check(progress, import_id: int) -> str:
    from app.services import employee_import

    return employee_import.check(import_id, progress)


@task("employee_import_apply", _l("Employee import: writing the employees"))
def employee_import_apply(progress, import_id: int) -> str:
    from app.services import employee_import

    return employee_import.apply(import_id, progress)
