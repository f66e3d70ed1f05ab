"""The DUERP question at login (issue 10; manual, "Déposer votre DUERP"): shown before the home
page at each new login to a member's user with the documents right, not at every page, never to
staff or to a collaborator without the right; every answer is kept, bad answers save nothing."""

from datetime import date, timedelta
from html import unescape

import pytest
from lxml import html as lxml_html
from sqlalchemy import delete, func, select, update

from app import clock
from app.demo.documents import pdf
from app.extensions import db
from app.models.document import Document, DuerpAnswer
from app.models.employee import Employee
from app.models.member import Member
from app.models.user import PortalUser
from app.services import documents
from app.views.date_fields import DATE_FORMAT_MESSAGE, format_date
from app.views.messages import MESSAGES
from tests.conftest import csrf_token, login
from tests.views.test_access import STRONG, create_account, first_connection
from tests.views.test_french_everywhere import problems, visible_texts

ASK = "/duerp/"
QUESTION = 'id="duerp-form"'  # the question's form (its French: the first test)


def logged_in_home(client, username: str):
    """Log in through the form and follow the redirects, as a browser does."""
    login(client, username)
    return client.get("/", follow_redirects=True)


def is_asked(response) -> bool:
    return response.request.path == ASK and QUESTION in response.get_data(as_text=True)


def answer(client, **data):
    page = client.get(ASK)
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    return client.post(ASK, data={**data, "csrf_token": token})


def answers(app, number="10250") -> list[DuerpAnswer]:
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == number))
        return list(
            db.session.scalars(
                select(DuerpAnswer)
                .where(DuerpAnswer.member_id == member_id)
                .order_by(DuerpAnswer.id)
            )
        )


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(PortalUser.id).where(PortalUser.username == username))


def log_out(client):
    page = client.get("/")
    client.post("/logout/", data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def age_duerp_deposits(app, number: str = "10250", days: int = 400) -> None:
    """Move the member's DUERP deposits back by `days`: the demo's latest, two months old, then
    lies beyond the setting's year and the member is asked again, as every year."""
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == number))
        for document in db.session.scalars(
            select(Document).where(
                Document.member_id == member_id, Document.class_id == documents.duerp_class().id
            )
        ):
            document.sent_at -= timedelta(days=days)
        db.session.commit()


@pytest.fixture(autouse=True)
def duerp_due(app):
    """10250 as a member whose DUERP is due: deposits over a year old, no answer kept yet (the
    demo's answers removed, so that each test counts its own)."""
    age_duerp_deposits(app)
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        db.session.execute(delete(DuerpAnswer).where(DuerpAnswer.member_id == member_id))
        db.session.commit()


@pytest.fixture
def client_10250(app):
    return app.test_client()


def test_the_administrator_is_asked_after_login_with_the_manual_text(app, client_10250):
    response = logged_in_home(client_10250, "ets10250")
    assert response.status_code == 200
    assert is_asked(response)
    html = " ".join(unescape(response.get_data(as_text=True)).split())
    for text in (
        "Conformément à la réglementation l'employeur doit adresser son Document Unique "
        "d'Evaluation des Risques Professionnels au Service de Prévention et Santé au Travail à "
        "chaque mise à jour. Vous pouvez déposer votre DUERP directement sur notre portail au "
        "format PDF.",
        "Avez-vous réalisé votre DUERP ?",
        "Date de dernière mise à jour",
        "Votre DUERP contient-il un plan d'actions de prévention ?",
        "Voulez-vous ajouter votre DUERP maintenant ?",
        "Oui",
        "Non",
        "Plus tard",
    ):
        assert text in html, text
    assert "<title>DUERP — " in html


def test_non_goes_home_keeps_who_answered_and_browsing_does_not_ask_again(app, client_10250):
    logged_in_home(client_10250, "ets10250")
    response = answer(client_10250, has_duerp="no")
    assert response.status_code == 302 and response.location.endswith("/")

    kept = answers(app)
    assert [(a.has_duerp, a.user_id) for a in kept] == [(False, user_id(app, "ets10250"))]
    assert kept[0].updated_on is None and kept[0].has_action_plan is None

    home = client_10250.get("/", follow_redirects=True)
    assert home.request.path == "/" and QUESTION not in home.get_data(as_text=True)
    client_10250.get("/employees/")
    assert client_10250.get("/").status_code == 200


def test_each_new_login_asks_again_from_11_employees_after_non(app, client_10250):
    logged_in_home(client_10250, "ets10250")
    answer(client_10250, has_duerp="no")
    log_out(client_10250)

    assert is_asked(logged_in_home(client_10250, "ets10250"))  # 30 employees


def test_browsing_without_answering_does_not_ask_again(app, client_10250):
    assert is_asked(logged_in_home(client_10250, "ets10250"))
    assert client_10250.get("/").status_code == 200
    assert answers(app) == []


def test_not_asked_after_a_recent_duerp_deposit(app, client_10250):
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10250"))
        documents.deposit(
            member,
            documents.Upload("duerp.pdf", pdf("DUERP", "Version 2026")),
            documents.Details(documents.duerp_class().id, "DUERP 2026"),
            None,
        )
        db.session.commit()

    response = logged_in_home(client_10250, "ets10250")
    assert response.request.path == "/" and QUESTION not in response.get_data(as_text=True)


def test_under_11_employees_not_asked_at_next_login_after_non(app, client_10250):
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        keep = db.session.scalars(
            select(Employee.id).where(Employee.member_id == member_id).limit(10)
        ).all()
        db.session.execute(
            update(Employee)
            .where(Employee.member_id == member_id, Employee.id.not_in(keep))
            .values(contract_end_on=clock.today() - timedelta(days=1))
        )
        db.session.commit()
    logged_in_home(client_10250, "ets10250")
    answer(client_10250, has_duerp="no")
    log_out(client_10250)

    response = logged_in_home(client_10250, "ets10250")
    assert response.request.path == "/" and QUESTION not in response.get_data(as_text=True)


def test_oui_with_add_now_opens_the_duerp_document_form(app, client_10250):
    logged_in_home(client_10250, "ets10250")
    updated = date(2026, 3, 15)
    response = answer(
        client_10250,
        has_duerp="yes",
        updated_on=format_date(updated),
        has_action_plan="yes",
        add_now="yes",
    )
    assert response.status_code == 302
    assert "/documents/new" in response.location and "duerp=1" in response.location
    kept = answers(app)[-1]
    assert (kept.has_duerp, kept.updated_on, kept.has_action_plan) == (True, updated, True)


def test_oui_without_adding_now_goes_home(app, client_10250):
    logged_in_home(client_10250, "ets10250")
    response = answer(
        client_10250,
        has_duerp="yes",
        updated_on="01/02/2026",
        has_action_plan="no",
        add_now="no",
    )
    assert response.status_code == 302 and response.location.endswith("/")
    kept = answers(app)[-1]
    assert (kept.has_duerp, kept.updated_on, kept.has_action_plan) == (
        True,
        date(2026, 2, 1),
        False,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"has_duerp": "yes", "has_action_plan": "yes"}, MESSAGES["duerp_date_missing"]),
        (
            {"has_duerp": "yes", "updated_on": "FUTURE", "has_action_plan": "yes"},
            MESSAGES["duerp_date_future"],
        ),
        ({"has_duerp": "yes", "updated_on": "01/02/2026"}, MESSAGES["duerp_action_plan_missing"]),
        (
            {"has_duerp": "yes", "updated_on": "31/02/2026", "has_action_plan": "yes"},
            DATE_FORMAT_MESSAGE,
        ),
        ({"add_now": "yes"}, "Répondez « Oui » ou « Non »."),
    ],
)
def test_bad_answers_are_refused_in_french_and_save_nothing(app, client_10250, data, message):
    if data.get("updated_on") == "FUTURE":
        data["updated_on"] = format_date(clock.today() + timedelta(days=1))
    logged_in_home(client_10250, "ets10250")
    response = answer(client_10250, **data)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "has-error" in html
    with app.test_request_context():  # the French of the catalogue (the default locale)
        assert str(message) in html
    assert answers(app) == []


def test_plus_tard_records_no_answer_and_goes_home(app, client_10250):
    logged_in_home(client_10250, "ets10250")
    response = answer(client_10250, later="1", has_duerp="yes")
    assert response.status_code == 302 and response.location.endswith("/")
    assert [(a.has_duerp, a.updated_on) for a in answers(app)] == [(None, None)]


def test_the_answer_needs_the_csrf_token(app, client_10250):
    logged_in_home(client_10250, "ets10250")
    response = client_10250.post(ASK, data={"has_duerp": "no"})
    assert response.status_code == 400
    assert answers(app) == []


def test_a_collaborator_without_the_documents_right_is_never_asked(app):
    client = app.test_client()
    response = logged_in_home(client, "ets10250.2")
    assert response.request.path == "/" and QUESTION not in response.get_data(as_text=True)
    assert client.get(ASK).status_code in (302, 403)
    assert client.post(ASK, data={"has_duerp": "no"}).status_code in (302, 400, 403)
    assert answers(app) == []


@pytest.mark.parametrize("username", ["gestion", "admin"])
def test_staff_are_never_asked(app, username):
    client = app.test_client()
    response = logged_in_home(client, username)
    assert response.request.path == "/" and QUESTION not in response.get_data(as_text=True)
    assert client.get(ASK).status_code in (302, 403, 404)


def test_the_count_of_answers_grows_with_each_answer_only(app, client_10250):
    logged_in_home(client_10250, "ets10250")
    answer(client_10250, later="1")
    log_out(client_10250)
    logged_in_home(client_10250, "ets10250")
    answer(client_10250, has_duerp="no")
    with app.app_context():
        assert db.session.scalar(select(func.count(DuerpAnswer.id))) == 2


def test_the_setting_turns_the_question_off(app, client_10250):
    app.config["DUERP_ASK_AT_LOGIN"] = False
    response = logged_in_home(client_10250, "ets10250")
    assert response.request.path == "/" and QUESTION not in response.get_data(as_text=True)


def test_the_first_connection_ends_on_the_question(app, client):
    """10252 (60 temporary workers, no DUERP) creates its administrator, who logs in."""
    first_connection(client)
    assert create_account(client).location == "/login/"
    login(client, "agence.interim", STRONG)
    response = client.get("/", follow_redirects=True)
    assert is_asked(response)
    assert answer(client, has_duerp="no").location.endswith("/")
    assert client.get("/").status_code == 200


def test_the_question_and_its_errors_are_in_french(app, client_10250):
    """The walk of tests/views/test_french_everywhere.py never meets the question (it is off
    there): the same checks on the screen, with an error on each question."""
    logged_in_home(client_10250, "ets10250")
    for page in (client_10250.get(ASK), answer(client_10250, has_duerp="yes")):
        tree = lxml_html.fromstring(page.get_data(as_text=True))
        texts = [*visible_texts(tree), tree.findtext(".//title") or ""]
        assert [f"{p} in {t!r}" for t in texts for p in problems(t)] == []
