"""The service's side of "Contactez-nous" (issue 12): the queue of the members' messages with its
filters and counts, a message's page, answering (the author's notice over a real SMTP server,
without the message's nor the answer's text), assigning, the status, the attachment, the types
of request as reference data (edit, deactivate, no delete), member users kept out, the staff
home's figure, and the statements of the queue independent of its rows."""

import re

import pytest
from lxml import html
from sqlalchemy import func, select

from app.extensions import db
from app.models.account import OutboxMail
from app.models.contact import ContactMessage, ContactReply, ContactType, MessageStatus
from app.models.member import Member
from app.models.user import PortalUser
from app.services import contact
from tests.conftest import csrf_token
from tests.views.test_same_work import statements_of
from tests.views.test_visits import pdf_file

QUEUE = "/backoffice/messages/"
TYPES = "/backofficecontacttypeview"
OPEN = (MessageStatus.NEW, MessageStatus.IN_PROGRESS)


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _submit(app, number="10250", username="ets10250", body="Texte du message", upload=None):
    """A new message of member `number` by `username`; its id (the service's notice queued)."""
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        kind = db.session.scalar(select(ContactType).where(ContactType.code == "administratif"))
        draft = contact.Draft(kind.id, "Sujet du test", body)
        message = contact.submit(member, _user(username), draft, upload)
        db.session.commit()
        return message.id


def _ids(response) -> list[int]:
    tree = html.fromstring(response.get_data(as_text=True))
    return [int(i) for i in tree.xpath("//table[@id='message-rows']/tbody/tr/@data-id")]


def _count(response, status: str) -> int:
    tree = html.fromstring(response.get_data(as_text=True))
    (badge,) = tree.xpath(f"//ul[@id='message-counts']//a[@data-status='{status}']/span")
    return int(badge.text_content())


def _where(app, *conditions) -> list[int]:
    with app.app_context():
        query = select(ContactMessage.id).where(*conditions).order_by(ContactMessage.id)
        return list(db.session.scalars(query))


def _message(app, message_id: int) -> ContactMessage:
    with app.app_context():
        found = db.session.get(ContactMessage, message_id)
        db.session.expunge(found)
        return found


def _post(client, url: str, data: dict, page: str):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


# --- the queue ------------------------------------------------------------------------------------


def test_the_queue_shows_the_messages_to_handle_newest_first_with_the_counts(app, staff):
    response = staff.get(QUEUE)

    assert response.status_code == 200
    expected = _where(app, ContactMessage.status.in_(OPEN))
    assert expected  # the demo has new and in progress messages
    ids = _ids(response)
    assert sorted(ids) == expected
    with app.app_context():
        created = dict(
            db.session.execute(select(ContactMessage.id, ContactMessage.created_at)).tuples().all()
        )
    assert [created[i] for i in ids] == sorted((created[i] for i in ids), reverse=True)
    for status in MessageStatus:
        assert _count(response, status.value) == len(_where(app, ContactMessage.status == status))
    assert _count(response, "todo") == len(expected)
    assert _count(response, "all") == len(_where(app))


@pytest.mark.parametrize("status", ["new", "in_progress", "done"])
def test_the_queue_filters_on_one_status(app, staff, status):
    ids = _ids(staff.get(f"{QUEUE}?status={status}"))

    assert ids and sorted(ids) == _where(app, ContactMessage.status == MessageStatus(status))


def test_the_queue_filters_on_type_assignee_and_member(app, staff):
    with app.app_context():
        support = db.session.scalar(select(ContactType.id).where(ContactType.code == "support"))
        gestion = _user("gestion").id
        member_10251 = db.session.scalar(select(Member.id).where(Member.number == "10251"))

    by_type = _ids(staff.get(f"{QUEUE}?status=all&type={support}"))
    mine = _ids(staff.get(f"{QUEUE}?status=all&assignee=me"))
    nobody = _ids(staff.get(f"{QUEUE}?status=all&assignee=nobody"))
    by_id = _ids(staff.get(f"{QUEUE}?status=all&assignee={gestion}"))
    of_member = _ids(staff.get(f"{QUEUE}?status=all&member=10251"))

    assert by_type and sorted(by_type) == _where(app, ContactMessage.type_id == support)
    assert mine and sorted(mine) == _where(app, ContactMessage.assignee_id == gestion)
    assert by_id == mine
    assert nobody and sorted(nobody) == _where(app, ContactMessage.assignee_id.is_(None))
    assert of_member and sorted(of_member) == _where(app, ContactMessage.member_id == member_10251)


def test_the_counts_follow_the_other_filters(app, staff):
    response = staff.get(f"{QUEUE}?member=10251&status=done")

    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10251"))
    for status in MessageStatus:
        mine = (ContactMessage.member_id == member_id, ContactMessage.status == status)
        assert _count(response, status.value) == len(_where(app, *mine))


def test_the_queue_sorts_by_last_activity_and_ignores_bad_values(app, staff):
    ids = _ids(staff.get(f"{QUEUE}?status=all&sort=updated_at&desc=0"))
    with app.app_context():
        updated = dict(
            db.session.execute(select(ContactMessage.id, ContactMessage.updated_at)).tuples().all()
        )
    assert [updated[i] for i in ids] == sorted(updated[i] for i in ids)

    for query in ("status=x", "type=abc", "assignee=<b>", "sort=subject", "page=-3", "member=abc"):
        assert staff.get(f"{QUEUE}?{query}").status_code == 200


def test_the_queue_pages_fifty_messages(app, staff):
    for n in range(55):
        _submit(app, body=f"Message {n}")
    first = staff.get(QUEUE)
    second = staff.get(f"{QUEUE}?page=2")

    assert len(_ids(first)) == 50
    assert set(_ids(first)).isdisjoint(_ids(second))
    assert len(_ids(first)) + len(_ids(second)) == len(_where(app, ContactMessage.status.in_(OPEN)))
    assert 'href="/backoffice/messages/?page=2"' in first.get_data(as_text=True)


def test_the_queue_costs_the_same_statements_with_thirty_times_more_messages(app, staff):
    with app.app_context():
        db.session.execute(db.delete(ContactReply))
        db.session.execute(db.delete(ContactMessage))
        db.session.commit()
    _submit(app)
    one = statements_of(app, lambda: staff.get(f"{QUEUE}?status=all"))
    for n in range(29):
        _submit(
            app, number="10251" if n % 2 else "10250", username="ets10251" if n % 2 else "ets10250"
        )
    with app.app_context():
        ids = _where(app)
        for index, message_id in enumerate(ids[::3]):
            message = db.session.get(ContactMessage, message_id)
            contact.answer(
                message, _user("gestion" if index % 2 else "admin"), "R", MessageStatus.DONE
            )
        db.session.commit()
    response = staff.get(f"{QUEUE}?status=all")
    thirty = statements_of(app, lambda: staff.get(f"{QUEUE}?status=all"))

    assert len(_ids(response)) == 30
    assert thirty == one


# --- a message ------------------------------------------------------------------------------------


def test_a_message_page_shows_everything_escaped(app, staff):
    message_id = _submit(app, body="<script>alert(1)</script>\nDeuxième ligne")
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))

    response = staff.get(f"{QUEUE}{message_id}")

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    tree = html.fromstring(text)
    assert tree.get_element_by_id("message-member").get("href") == (
        f"/backofficememberview/show/{member_id}"
    )
    author = tree.get_element_by_id("message-author").text_content()
    assert "bernard@boulangerie-demo.example" in author and "0322000000" in author
    assert "bo-message-text" in tree.get_element_by_id("message-body").get("class")
    for form in ("answer-form", "assign-form", "status-form"):
        assert tree.get_element_by_id(form) is not None


def test_a_message_about_an_invoice_links_to_it_and_its_attachment_downloads(app, staff):
    with app.app_context():
        message = db.session.scalar(
            select(ContactMessage).where(ContactMessage.invoice_id.is_not(None)).limit(1)
        )
        invoice_id = message.invoice_id
        message_id = message.id
    tree = html.fromstring(staff.get(f"{QUEUE}{message_id}").get_data(as_text=True))
    assert tree.get_element_by_id("message-invoice").get("href") == (
        f"/backoffice/invoices/{invoice_id}/"
    )

    data = pdf_file("Pièce jointe")
    with_pdf = _submit(app, upload=contact.Upload("x.html", data))
    download = staff.get(f"{QUEUE}{with_pdf}/attachment")
    assert download.status_code == 200 and download.data == data
    assert (
        download.headers["Content-Disposition"] == f'attachment; filename="message-{with_pdf}.pdf"'
    )
    assert staff.get(f"{QUEUE}{message_id}/attachment").status_code == 404
    assert staff.get(f"{QUEUE}999999").status_code == 404


def test_answering_tells_the_author_by_mail_without_any_text(app, staff, smtp):
    message_id = _submit(app, body="Mon salarié a un souci de santé SECRET-QUESTION")
    page = f"{QUEUE}{message_id}"

    response = _post(
        staff,
        f"{page}/answer",
        {"body": "Voici la réponse SECRET-ANSWER", "status_after": "in_progress"},
        page,
    )

    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    response.close()  # as a WSGI server does once the answer is sent: the mail leaves then
    received = smtp.wait(1)
    mails = [m for rcpts, m in received if "bernard@boulangerie-demo.example" in rcpts]
    assert len(mails) == 1
    (mail,) = mails
    plain = mail.get_body(("plain",)).get_content()
    html_part = mail.get_body(("html",)).get_content()
    assert mail["List-Unsubscribe"]
    link = f"{app.config['PORTAL_URL'].rstrip('/')}/messages/{message_id}"
    assert "10250" in mail["Subject"] and "10250" in plain
    assert link in plain and f'href="{link}"' in html_part
    for secret in ("SECRET-QUESTION", "SECRET-ANSWER", "Sujet du test"):
        assert secret not in plain and secret not in html_part and secret not in mail["Subject"]
    message = _message(app, message_id)
    with app.app_context():
        assert message.status is MessageStatus.IN_PROGRESS
        assert message.assignee_id == _user("gestion").id
        reply = db.session.scalar(select(ContactReply).where(ContactReply.message_id == message_id))
        assert reply.from_service and reply.body == "Voici la réponse SECRET-ANSWER"


def test_an_answer_to_a_deleted_account_is_kept_without_mail(app, staff):
    message_id = _submit(app)
    page = f"{QUEUE}{message_id}"
    with app.app_context():
        db.session.get(ContactMessage, message_id).author_id = None
        db.session.commit()
        before = db.session.scalar(select(func.count(OutboxMail.id)))

    response = _post(staff, f"{page}/answer", {"body": "Réponse", "status_after": "done"}, page)

    assert response.status_code == 302
    assert _message(app, message_id).status is MessageStatus.DONE
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == before
    assert "Compte supprimé" in staff.get(page).get_data(as_text=True)  # in the catalogue


def test_a_message_page_costs_the_same_statements_with_a_long_thread(app, staff):
    message_id = _submit(app)
    page = f"{QUEUE}{message_id}"
    with app.app_context():
        message = db.session.get(ContactMessage, message_id)
        contact.answer(message, _user("gestion"), "Première réponse", MessageStatus.IN_PROGRESS)
        db.session.commit()
    one = statements_of(app, lambda: staff.get(page))
    with app.app_context():
        message = db.session.get(ContactMessage, message_id)
        for n in range(10):
            contact.add_member_reply(message, _user("ets10250"), f"Complément {n}")
            staff_user = _user("admin" if n % 2 else "gestion")
            contact.answer(message, staff_user, f"Réponse {n}", MessageStatus.IN_PROGRESS)
        db.session.commit()
    many = statements_of(app, lambda: staff.get(page))

    assert many == one
    thread = html.fromstring(staff.get(page).get_data(as_text=True)).get_element_by_id(
        "message-thread"
    )
    assert len(thread.xpath("./li[@data-from]")) == 21


def test_an_answer_may_close_the_message_and_keeps_its_assignee(app, staff):
    message_id = _submit(app)
    page = f"{QUEUE}{message_id}"
    with app.app_context():
        admin_id = _user("admin").id
    _post(staff, f"{page}/assign", {"assignee": str(admin_id)}, page)

    _post(staff, f"{page}/answer", {"body": "Réglé.", "status_after": "done"}, page)

    message = _message(app, message_id)
    assert message.status is MessageStatus.DONE and message.assignee_id == admin_id


@pytest.mark.parametrize(
    "data",
    [{"body": "", "status_after": "done"}, {"body": "x" * 5001, "status_after": "done"},
     {"body": "Oui", "status_after": "new"}, {"body": "   ", "status_after": "in_progress"}],
)  # fmt: skip
def test_a_bad_answer_is_refused_and_nothing_is_saved(app, staff, data):
    message_id = _submit(app)
    page = f"{QUEUE}{message_id}"

    response = _post(staff, f"{page}/answer", data, page)

    assert response.status_code == 400
    assert 'id="answer-form"' in response.get_data(as_text=True)
    message = _message(app, message_id)
    assert message.status is MessageStatus.NEW and message.assignee_id is None
    with app.app_context():
        assert not db.session.scalar(
            select(func.count(ContactReply.id)).where(ContactReply.message_id == message_id)
        )


def test_staff_assign_to_me_another_or_nobody_and_an_unknown_account_is_refused(app, staff):
    message_id = _submit(app)
    page = f"{QUEUE}{message_id}"
    with app.app_context():
        gestion, admin = _user("gestion").id, _user("admin").id
        member_user = _user("ets10250").id

    assert _post(staff, f"{page}/assign", {"assignee": str(gestion)}, page).status_code == 302
    assert _message(app, message_id).assignee_id == gestion
    _post(staff, f"{page}/assign", {"assignee": str(admin)}, page)
    assert _message(app, message_id).assignee_id == admin
    for bad in (str(member_user), "999999", "abc"):
        assert _post(staff, f"{page}/assign", {"assignee": bad}, page).status_code == 400
        assert _message(app, message_id).assignee_id == admin
    _post(staff, f"{page}/assign", {"assignee": "nobody"}, page)
    assert _message(app, message_id).assignee_id is None


def test_staff_set_the_status_and_a_bad_one_is_refused(app, staff):
    message_id = _submit(app)
    page = f"{QUEUE}{message_id}"

    assert _post(staff, f"{page}/status", {"status": "done"}, page).status_code == 302
    assert _message(app, message_id).status is MessageStatus.DONE
    assert _post(staff, f"{page}/status", {"status": "archived"}, page).status_code == 400
    assert _message(app, message_id).status is MessageStatus.DONE
    _post(staff, f"{page}/status", {"status": "new"}, page)
    assert _message(app, message_id).status is MessageStatus.NEW


def test_a_member_user_gets_none_of_the_back_office_routes(app, member):
    message_id = _submit(app)
    with app.app_context():
        type_id = db.session.scalar(select(ContactType.id).limit(1))
    gets = [
        QUEUE, f"{QUEUE}{message_id}", f"{QUEUE}{message_id}/attachment",
        f"{TYPES}/list/", f"{TYPES}/show/{type_id}", f"{TYPES}/add", f"{TYPES}/edit/{type_id}",
    ]  # fmt: skip
    for url in gets:
        assert member.get(url).status_code in (403, 404), url
    token = csrf_token(member.get("/profile/").get_data(as_text=True))
    posts = {
        "answer": {"body": "Intrus", "status_after": "done"},
        "assign": {"assignee": "nobody"},
        "status": {"status": "done"},
    }
    for action, data in posts.items():
        response = member.post(f"{QUEUE}{message_id}/{action}", data={**data, "csrf_token": token})
        assert response.status_code in (403, 404), action
    message = _message(app, message_id)
    assert message.status is MessageStatus.NEW
    with app.app_context():
        assert not db.session.scalar(
            select(func.count(ContactReply.id)).where(ContactReply.message_id == message_id)
        )


def test_the_staff_home_counts_the_messages_to_handle(app, staff):
    tree = html.fromstring(staff.get("/").get_data(as_text=True))

    figure = tree.get_element_by_id("messages-to-handle")
    expected = len(_where(app, ContactMessage.status.in_(OPEN)))
    unassigned = len(
        _where(app, ContactMessage.status.in_(OPEN), ContactMessage.assignee_id.is_(None))
    )
    links = figure.xpath(".//a")
    assert re.match(rf"{expected}\b", links[0].text_content())
    assert links[0].get("href") == QUEUE
    assert re.match(rf"{unassigned}\b", links[1].text_content())
    assert links[1].get("href") == f"{QUEUE}?assignee=nobody"


# --- the types of request -----------------------------------------------------------------------


def _type(app, code: str) -> ContactType:
    with app.app_context():
        found = db.session.scalar(select(ContactType).where(ContactType.code == code))
        db.session.expunge(found)
        return found


def _edit(staff, type_id: int, **fields):
    page = f"{TYPES}/edit/{type_id}"
    return _post(staff, page, fields, page)


def test_staff_edit_a_type_label_and_address(app, staff):
    support = _type(app, "support")

    response = _edit(
        staff, support.id, label="Aide au portail", address="hotline@asmis.example",
        position="5", is_active="y", code="pirate", kind="VISIT",
    )  # fmt: skip

    assert response.status_code == 302
    edited = _type(app, "support")
    assert edited.label == "Aide au portail" and edited.address == "hotline@asmis.example"
    assert edited.position == 5 and edited.kind is support.kind  # code and kind kept
    assert staff.get(f"{TYPES}/list/").status_code == 200


def test_a_bad_address_is_refused(app, staff):
    support = _type(app, "support")

    response = _edit(staff, support.id, label="Support", address="pas une adresse", position="5")

    assert response.status_code == 200  # FAB shows the form again with the error
    tree = html.fromstring(response.get_data(as_text=True))
    assert tree.xpath("//input[@id='address']/following-sibling::div[contains(@class, 'alert')]")
    assert _type(app, "support").address is None


def test_a_deactivated_type_is_no_longer_offered_and_no_type_is_deleted(app, staff):
    autre = _type(app, "autre")

    _edit(staff, autre.id, label=autre.label, address="", position=str(autre.position))

    assert _type(app, "autre").is_active is False
    with app.app_context():
        assert "autre" not in [t.code for t in contact.active_types()]
    token = csrf_token(staff.get(f"{TYPES}/list/").get_data(as_text=True))
    assert staff.post(f"{TYPES}/delete/{autre.id}", data={"csrf_token": token}).status_code in (
        403,
        404,
        405,
    )
    assert staff.get(f"{TYPES}/delete/{autre.id}").status_code in (403, 404, 405)
    assert _type(app, "autre") is not None


def test_staff_add_a_type(app, staff):
    page = f"{TYPES}/add"

    response = _post(
        staff, page,
        {"code": "rgpd", "label": "Données personnelles", "kind": "GENERAL", "address": "",
         "position": "70", "is_active": "y"},
        page,
    )  # fmt: skip

    assert response.status_code == 302
    added = _type(app, "rgpd")
    assert added.label == "Données personnelles" and added.address is None and added.is_active
    with app.app_context():
        assert "rgpd" in [t.code for t in contact.active_types()]
