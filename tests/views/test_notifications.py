"""E-mail notices over a real SMTP server on loopback (issue 12, "Notifications"): the profile's
choices saved and honoured, the unsubscribe link without logging in, a scheduled visit's mail
(text and HTML parts, the convocation PDF attached), the outcome's mail without any medical
word, a document sent to the users who want it only, an issued invoice (back-office, portal
confirmation, the bulk command) mailed to the member's administrator."""

import io
import re
import threading
import time

from lxml import html as lxml_html
from pypdf import PdfReader
from sqlalchemy import select

from app import clock
from app.domain.notifications import Notice
from app.extensions import db
from app.models.account import OutboxMail
from app.models.billing import Declaration, Invoice
from app.models.document import DocumentContent
from app.models.member import Member
from app.models.notification import NotificationPreference
from app.models.user import PortalUser
from app.models.visit import VisitRequest
from app.services import declarations, invoice_runs, notifications
from tests.conftest import csrf_token, post_form
from tests.views.test_account_races import at_once
from tests.views.test_backoffice_documents import _fe, _send_form
from tests.views.test_declaration import post_confirm, shown
from tests.views.test_employees import logged_in
from tests.views.test_visits import (
    acknowledge,
    record_outcome,
    schedule,
    set_in_db,
    submitted,
    tomorrow_at,
    yesterday_at,
)
from tests.views.test_visits import setting as setting  # noqa: F401 - fixture

PROFILE = "/profile/"
CHOICES = "/profile/notifications"
ADMIN_MAIL = "direction@boulangerie.test"
COLLAB_MAIL = "rh@boulangerie.test"
SAVED = "Vos notifications par e-mail sont enregistrées."


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _addresses(app) -> None:
    """10250's administrator and collaborator with known addresses, neither a portal contact
    (the other users of 10250 inactive: the mails of a test are the two of them only)."""
    with app.app_context():
        admin, collaborator = _user("ets10250"), _user("ets10250.2")
        for user in db.session.scalars(
            select(PortalUser).where(PortalUser.member_id == admin.member_id)
        ):
            user.is_portal_contact = False
            user.active = user.id in (admin.id, collaborator.id)
        admin.email, collaborator.email = ADMIN_MAIL, COLLAB_MAIL
        db.session.commit()


def _to(smtp, address: str, expected: int = 0) -> list:
    """The mails received for `address`, once at least `expected` of them arrived."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [message for recipients, message in smtp.received if address in recipients]
        if len(found) >= expected:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{len(found)} mail(s) to {address}, {expected} expected")


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _choices(app, username: str) -> dict[Notice, bool]:
    with app.app_context():
        return notifications.choices_of(_user(username))


def _close(response):
    response.close()  # as a WSGI server does once the answer is out: the mails leave then
    return response


# --- the profile ----------------------------------------------------------------------------------


def test_the_profile_lists_the_users_notices_and_saves_them(app, member):
    page = member.get(PROFILE)
    tree = lxml_html.fromstring(page.text)
    boxes = {
        box.get("value"): box.get("checked") is not None
        for box in tree.xpath("//form[@id='notices']//input[@name='notice']")
    }
    assert boxes == {notice.value: True for notice in Notice}  # the administrator: all, on

    kept = {Notice.INVOICE_ISSUED.value, Notice.VISIT_SCHEDULED.value}
    response = post_form(member, CHOICES, {"notice": sorted(kept)}, page_url=PROFILE)
    assert (response.status_code, response.location) == (302, "/profile/#notices")
    assert {n.value for n, on in _choices(app, "ets10250").items() if on} == kept
    with app.app_context():
        stored = db.session.scalars(select(NotificationPreference.notice)).all()
    assert sorted(stored, key=lambda n: n.value) == sorted(Notice, key=lambda n: n.value)

    again = member.get(PROFILE)
    ticked = lxml_html.fromstring(again.text).xpath("//input[@name='notice'][@checked]/@value")
    assert set(ticked) == kept
    assert SAVED in again.text


def test_a_collaborator_sees_only_the_notices_of_their_rights(app):
    collaborator = logged_in(app, "ets10250.2")
    page = collaborator.get(PROFILE)
    values = lxml_html.fromstring(page.text).xpath("//input[@name='notice']/@value")
    assert Notice.VISIT_SCHEDULED.value in values and Notice.VISIT_OUTCOME.value in values
    assert Notice.NCI_EXPIRING.value not in values  # its list is a report: no reports right
    assert Notice.INVOICE_ISSUED.value not in values and Notice.DOCUMENT_SENT.value not in values
    # A forged box for a notice beyond their rights changes nothing.
    response = post_form(
        collaborator, CHOICES, {"notice": ["invoice_issued", "nonsense"]}, page_url=PROFILE
    )
    assert response.status_code == 302
    assert Notice.INVOICE_ISSUED not in _choices(app, "ets10250.2")


def test_staff_have_no_notices(app, staff):
    page = staff.get(PROFILE)
    assert page.status_code == 200 and 'id="notices"' not in page.text
    assert (
        post_form(staff, CHOICES, {"notice": ["document_sent"]}, page_url=PROFILE).status_code
        == 403
    )


def test_the_choices_need_a_login(app, client):
    response = client.post(CHOICES, data={"notice": ["document_sent"]})
    assert response.status_code in (302, 400, 401)
    with app.app_context():
        assert db.session.scalar(select(NotificationPreference.id)) is None


# --- documents: only who wants them; the unsubscribe link ----------------------------------------


def test_a_document_reaches_only_the_users_who_want_it_and_the_link_stops_it(
    app, member, staff, smtp
):
    _addresses(app)
    collaborator = logged_in(app, "ets10250.2")
    # The collaborator has no documents right: not even a box for it.
    assert post_form(collaborator, CHOICES, {"notice": ["document_sent"]}, page_url=PROFILE)
    response = _close(
        _send_form(staff, {"class_id": _fe(app), "description": "Notice", "recipients": "10250"})
    )
    assert response.status_code == 302
    (mail,) = smtp.wait(1)
    recipients, message = mail
    assert recipients == [ADMIN_MAIL]
    text, html = _parts(message)
    assert "10250" in str(message["Subject"]) and "http://portal.test/documents/" in text
    assert 'href="http://portal.test/documents/"' in html
    link = str(message["List-Unsubscribe"]).strip("<>")
    assert link.startswith("http://portal.test/notifications/unsubscribe/") and link in text

    # The link, without logging in: a button; POST turns that notice off, and only it.
    anonymous = app.test_client()
    page = anonymous.get(link)
    assert page.status_code == 200 and ADMIN_MAIL in page.text
    assert lxml_html.fromstring(page.text).xpath("//form[@method='post']//button")
    assert post_form(anonymous, link).status_code == 302
    choices = _choices(app, "ets10250")
    assert choices[Notice.DOCUMENT_SENT] is False
    assert all(on for notice, on in choices.items() if notice is not Notice.DOCUMENT_SENT)
    assert _choices(app, "ets10251")[Notice.DOCUMENT_SENT] is True

    form = {"class_id": _fe(app), "description": "Autre", "recipients": "10250"}
    assert _close(_send_form(staff, form)).status_code == 302
    with app.app_context():
        queued = db.session.scalars(
            select(OutboxMail.id).where(OutboxMail.recipient == ADMIN_MAIL)
        ).all()
    assert len(queued) == 1 and len(smtp.received) == 1  # nobody wanted the second one


def test_a_forged_unsubscribe_link_is_a_404(app, client):
    with app.app_context():
        token = notifications.unsubscribe_token(_user("ets10250").id, Notice.DOCUMENT_SENT)
    assert client.get(f"/notifications/unsubscribe/{token}x").status_code == 404
    assert client.get("/notifications/unsubscribe/abc").status_code == 404
    assert _choices(app, "ets10250")[Notice.DOCUMENT_SENT] is True


def test_two_clicks_at_once_on_an_unsubscribe_link_keep_one_choice(app, monkeypatch):
    """The same link posted twice at the same moment (a double click, a mail client's check):
    both requests read "no choice yet" before either saves (held together after their read),
    both are answered, and one choice is stored, off."""
    read = notifications._choice_row
    barrier = threading.Barrier(2)
    held = threading.local()

    def read_then_wait(user_id, notice):
        row = read(user_id, notice)
        if not getattr(held, "done", False):
            held.done = True
            barrier.wait(10)
        return row

    monkeypatch.setattr(notifications, "_choice_row", read_then_wait)
    with app.app_context():
        user_id = _user("ets10250").id
        link = notifications.unsubscribe_link(user_id, Notice.INVOICE_ISSUED)
    path = link.split("://", 1)[1].split("/", 1)[1]
    clients = [app.test_client(), app.test_client()]
    tokens = [csrf_token(c.get(f"/{path}").text) for c in clients]
    statuses = at_once(
        [
            lambda c=c, t=t: c.post(f"/{path}", data={"csrf_token": t}).status_code
            for c, t in zip(clients, tokens, strict=True)
        ]
    )
    assert statuses == [302, 302]
    with app.app_context():
        rows = db.session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id == user_id,
                NotificationPreference.notice == Notice.INVOICE_ISSUED,
            )
        ).all()
        assert [row.enabled for row in rows] == [False]


# --- visits ---------------------------------------------------------------------------------------


def test_a_scheduled_visit_mails_the_convocation_to_who_wants_it(app, member, staff, setting, smtp):
    _addresses(app)
    request_id = submitted(app, member, setting)
    assert acknowledge(staff, request_id).status_code == 302
    contents_before = _contents(app)
    when = tomorrow_at(9)
    assert _close(schedule(staff, setting, request_id, when)).status_code == 302

    (message,) = _to(smtp, ADMIN_MAIL, 1)  # the collaborator did not opt in
    assert _to(smtp, COLLAB_MAIL) == []
    text, html = _parts(message)
    assert setting.employee.name in text and setting.centre.name in text
    assert "09:00" in text and "http://portal.test/visit-requests/" in text
    assert setting.employee.name in html and "10250" in str(message["Subject"])
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "convocation.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert setting.employee.name in _pdf_text(attachment.get_content())
    assert setting.exam_labels["VIP_PER"] not in text  # why the visit: not in a mail
    assert _contents(app) == contents_before  # the sent mail's copy of the PDF is gone

    # A new slot: a new convocation.
    assert _close(schedule(staff, setting, request_id, tomorrow_at(14))).status_code == 302
    first, second = _to(smtp, ADMIN_MAIL, 2)
    assert "14:00" in _parts(second)[0] and second["Subject"] != first["Subject"]
    (attachment,) = list(second.iter_attachments())
    assert "14:00" in _pdf_text(attachment.get_content())


def test_the_collaborator_who_opts_in_gets_the_convocation_too(app, member, staff, setting, smtp):
    _addresses(app)
    collaborator = logged_in(app, "ets10250.2")
    post_form(collaborator, CHOICES, {"notice": ["visit_scheduled"]}, page_url=PROFILE)
    request_id = submitted(app, member, setting)
    assert _close(schedule(staff, setting, request_id, tomorrow_at())).status_code == 302
    (to_collaborator,) = _to(smtp, COLLAB_MAIL, 1)
    (to_admin,) = _to(smtp, ADMIN_MAIL, 1)
    for message in (to_collaborator, to_admin):  # each mail its own copy of the PDF
        (attachment,) = list(message.iter_attachments())
        assert setting.employee.name in _pdf_text(attachment.get_content())


def test_the_outcome_mail_says_it_happened_and_nothing_medical(app, member, staff, setting, smtp):
    _addresses(app)
    recommendation = "Éviter le port de charges lourdes"
    request_id = submitted(app, member, setting)
    assert _close(schedule(staff, setting, request_id, tomorrow_at())).status_code == 302
    _to(smtp, ADMIN_MAIL, 1)
    set_in_db(app, VisitRequest, request_id, scheduled_at=yesterday_at())
    response = _close(
        record_outcome(staff, request_id, conclusion="UNFIT", recommendations=recommendation)
    )
    assert response.status_code == 302
    _, outcome = _to(smtp, ADMIN_MAIL, 2)
    text, html = _parts(outcome)
    assert setting.employee.name in text and "http://portal.test/visit-requests/" in text
    assert outcome.get_content_type() == "multipart/alternative"  # no attachment
    everything = (text + html + str(outcome["Subject"])).lower()
    for word in (
        "apte",
        "inapte",
        "unfit",
        "fit",
        "aptitude",
        "conclusion",
        "charges lourdes",
        setting.exam_labels["VIP_PER"].lower(),
    ):
        assert not re.search(rf"\b{re.escape(word)}\b", everything), word


def test_an_absence_is_mailed_as_such(app, member, staff, setting, smtp):
    _addresses(app)
    request_id = submitted(app, member, setting)
    schedule(staff, setting, request_id, tomorrow_at())
    set_in_db(app, VisitRequest, request_id, scheduled_at=yesterday_at())
    assert _close(record_outcome(staff, request_id, outcome="absent")).status_code == 302
    text, _ = _parts(_to(smtp, ADMIN_MAIL, 1)[-1])
    assert "absence" in text.lower() and setting.employee.name in text


# --- invoices -------------------------------------------------------------------------------------


def test_an_invoice_made_in_the_back_office_mails_the_administrator(app, staff, smtp):
    _addresses(app)
    page = staff.get("/backoffice/invoices/new")
    assert page.status_code == 200
    response = _close(
        post_form(
            staff,
            "/backoffice/invoices/new",
            {
                "member_number": "10250",
                "lines-0-label": "Formation",
                "lines-0-quantity": "1",
                "lines-0-unit_price": "1234,50",
            },
        )
    )
    assert response.status_code == 302
    (message,) = _to(smtp, ADMIN_MAIL, 1)
    with app.app_context():
        invoice = db.session.scalars(select(Invoice).order_by(Invoice.id.desc())).first()
    text, html = _parts(message)
    assert invoice.number in text and invoice.number in str(message["Subject"])
    assert "1\u202f234,50\u00a0€" in text or "1 234,50\u00a0€" in text, text
    assert "http://portal.test/invoices/" in text and invoice.number in html

    # Its credit note too.
    response = _close(
        post_form(staff, f"/backoffice/invoices/{invoice.id}/credit", {"reason": "Erreur"})
    )
    assert response.status_code == 302
    _, credit = _to(smtp, ADMIN_MAIL, 2)
    assert "Erreur" not in _parts(credit)[0] and "10250" in str(credit["Subject"])
    assert [r for r, _ in smtp.received if r != [ADMIN_MAIL]] == []


def test_the_bulk_command_delivers_each_batchs_notices(app, smtp):
    _addresses(app)
    with app.app_context():
        year = clock.today().year
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        live = declarations.live_declaration(member_id, year)
        if live is not None:  # the demo's: reopened, so that the command confirms again
            live.reopened_at = clock.now()
        db.session.commit()
        outcome = invoice_runs.run(declarations.campaign_of(year), unconfirmed=True)
        assert outcome.failed == []
        invoice = db.session.scalar(
            select(Invoice)
            .join(Declaration, Declaration.invoice_id == Invoice.id)
            .where(Declaration.member_id == member_id, Declaration.year == year)
            .where(Declaration.reopened_at.is_(None))
        )
    assert invoice is not None
    sent = [m for m in _to(smtp, ADMIN_MAIL) if invoice.number in str(m["Subject"])]
    assert len(sent) == 1


def _contents(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(DocumentContent.id)))


def test_confirming_the_declaration_mails_its_invoice(app, smtp):
    with app.app_context():
        admin = _user("ets10251")
        admin.email = "direction@transports.test"
        db.session.commit()
    client = logged_in(app, "ets10251")
    form = shown(client)["form"]
    response = _close(post_confirm(client, form))
    assert response.status_code == 302
    with app.app_context():
        number = db.session.scalar(
            select(Invoice.number)
            .join(Declaration, Declaration.invoice_id == Invoice.id)
            .where(Declaration.year == clock.today().year, Invoice.member_number == "10251")
        )
    (message,) = _to(smtp, "direction@transports.test", 1)
    assert number and number in str(message["Subject"]) and number in _parts(message)[0]
    # Confirming again issues nothing and mails nothing.
    assert _close(post_confirm(client, form)).status_code == 302
    time.sleep(0.3)
    assert len(_to(smtp, "direction@transports.test")) == 1
