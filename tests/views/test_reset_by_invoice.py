"""The forgotten password by invoice number (issue 11; manual, "Mot de passe oublié ?": "numéro
d'adhérent ou numéro de facture"): an invoice number finds the member of that invoice, whose
portal contact gets the link when its e-mail is given; a wrong pair gets nothing; the answer is
the same whichever matched."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.billing import Invoice
from app.models.member import Member
from tests.views.test_access import (
    BERNARD,
    CAMILLE,
    RESET_REQUESTED,
    ask_reset,
    french,
    mailed_reset_path,
    messages,
    outbox,
    tokens,
)

THIERRY = "thierry@transports-demo.example"  # portal contact of 10251


def invoice_number(app, member_number: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(Invoice.number)
            .join(Member, Member.id == Invoice.member_id)
            .where(Member.number == member_number)
            .order_by(Invoice.id.desc())
            .limit(1)
        )


def test_an_invoice_number_and_the_contacts_email_send_the_link(app, client, smtp):
    number = invoice_number(app, "10250")
    response = ask_reset(client, f"  {number} ", BERNARD.upper())
    assert (response.status_code, response.location) == (302, "/login/")
    ((recipients, _mail),) = smtp.wait()
    assert recipients == [BERNARD]
    (token,) = tokens(app)
    with app.app_context():
        assert db.session.get(type(token), token.id).user.username == "ets10250"
    # The link works like the member number's.
    path = mailed_reset_path(smtp)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("member", "email"),
    [
        ("10250", CAMILLE),  # a user of the invoice's member, not its portal contact
        ("10251", BERNARD),  # another member's invoice
        (None, BERNARD),  # no such invoice
    ],
    ids=["not-the-contact", "other-members-invoice", "unknown-invoice"],
)
def test_a_wrong_pair_sends_nothing(app, client, member, email):
    number = invoice_number(app, member) if member else "2026-999999"
    ask_reset(client, number, email)
    assert outbox(app) == [] and tokens(app) == []


def test_the_answer_is_the_same_whichever_matched(app):
    answers, produced = [], []
    for number, address in (
        (invoice_number(app, "10251"), THIERRY),  # matches
        (invoice_number(app, "10251"), BERNARD),  # another member's contact
        ("2026-999999", THIERRY),  # unknown invoice
        ("10251", "inconnu@transports-demo.example"),  # member number, wrong e-mail
    ):
        client = app.test_client()
        response = ask_reset(client, number, address)
        landing = client.get(response.location)
        answers.append(
            (response.status_code, response.location, response.text, messages(landing.text))
        )
        produced.append((len(outbox(app)), len(tokens(app))))
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][3] == [french(RESET_REQUESTED)]
    assert produced == [(1, 1)] * 4  # only the first wrote a mail and a token
    assert outbox(app)[0].recipient == THIERRY
