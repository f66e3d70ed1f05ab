"""Delivery of the outbox over a real SMTP server on loopback: the text and HTML parts, the
attachment owned by the mail (deleted once sent), the List-Unsubscribe header, and a line that
starts with "From " left as it is (no mbox ">From " quoting)."""

from sqlalchemy import select

from app.extensions import db
from app.models.account import OutboxMail
from app.models.document import DocumentContent
from app.services import mail
from tests.mail_server import smtp  # noqa: F401 - a real SMTP server, as a fixture
from tests.views.test_visits import pdf_file


def test_a_notice_arrives_whole_and_its_attachment_is_then_deleted(app, smtp):  # noqa: F811
    with app.app_context():
        pdf = pdf_file("convocation")
        content = DocumentContent(data=pdf)
        db.session.add(content)
        db.session.flush()
        (queued,) = mail.queue_all(
            [
                mail.Message(
                    recipient="someone@example.org",
                    subject="Sujet é",
                    body="Bonjour,\nFrom the service: a line that starts with From.\n",
                    html="<p>Bonjour</p>",
                    attachment_name="convocation.pdf",
                    attachment_content_id=content.id,
                    unsubscribe_url="https://portal.example/notifications/unsubscribe/x",
                )
            ]
        )
        db.session.commit()
        content_id = content.id
        mail.deliver([queued.id])
        ((recipients, message),) = smtp.wait(1)
        assert recipients == ["someone@example.org"]
        assert message["Subject"] == "Sujet é"
        assert message["List-Unsubscribe"] == "<https://portal.example/notifications/unsubscribe/x>"
        text = message.get_body(("plain",)).get_content()
        assert "\nFrom the service: a line that starts with From." in text
        assert ">From" not in text
        assert message.get_body(("html",)).get_content().strip() == "<p>Bonjour</p>"
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == "convocation.pdf"
        assert attachment.get_content() == pdf
        db.session.expire_all()  # the outbox job sent it in a session of its own
        sent = db.session.get(OutboxMail, queued.id)
        assert sent.sent_at is not None and sent.body is None and sent.html is None
        assert sent.attachment_content_id is None
        left = select(DocumentContent.id).where(DocumentContent.id == content_id)
        assert db.session.scalar(left) is None
