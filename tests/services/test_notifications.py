"""Who gets a notice (app.services.notifications.recipients: the domain's rules applied to the
users, their roles and their stored choices) and the unsubscribe link's token (issue 12)."""

import pytest
from sqlalchemy import select

from app.domain.notifications import Notice
from app.extensions import db
from app.models.member import Member
from app.models.notification import NotificationPreference
from app.models.user import PortalUser
from app.services import notifications


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _member_id(number: str) -> int:
    return db.session.scalar(select(Member.id).where(Member.number == number))


def _addresses(member_number: str, notice: Notice) -> list[str]:
    member_id = _member_id(member_number)
    return [r.email for r in notifications.recipients([member_id], notice).get(member_id, [])]


@pytest.fixture
def users(app):
    """10250's administrator and its collaborator (employees read, visit requests), neither a
    portal contact, with their own addresses; 10251's administrator."""
    with app.app_context():
        admin, collaborator = _user("ets10250"), _user("ets10250.2")
        for user in db.session.scalars(
            select(PortalUser).where(PortalUser.member_id == admin.member_id)
        ):
            user.is_portal_contact = False
        admin.email, collaborator.email = "admin@boulangerie.test", "collab@boulangerie.test"
        db.session.commit()
        yield


def test_the_administrator_gets_the_notices_by_default(app, users):
    with app.app_context():
        for notice in (Notice.DOCUMENT_SENT, Notice.INVOICE_ISSUED, Notice.VISIT_SCHEDULED):
            assert "admin@boulangerie.test" in _addresses("10250", notice)


def test_a_collaborator_opts_in_within_their_rights_only(app, users):
    with app.app_context():
        collaborator = _user("ets10250.2")
        assert "collab@boulangerie.test" not in _addresses("10250", Notice.VISIT_SCHEDULED)
        notifications.set_choice(collaborator, Notice.VISIT_SCHEDULED, True)
        # A choice stored for a notice their rights do not cover (a right since withdrawn).
        db.session.add(
            NotificationPreference(
                user_id=collaborator.id,
                member_id=collaborator.member_id,
                notice=Notice.INVOICE_ISSUED,
                enabled=True,
            )
        )
        db.session.commit()
        assert "collab@boulangerie.test" in _addresses("10250", Notice.VISIT_SCHEDULED)
        assert "collab@boulangerie.test" not in _addresses("10250", Notice.INVOICE_ISSUED)
        assert Notice.INVOICE_ISSUED not in notifications.choices_of(collaborator)


def test_a_portal_contact_gets_the_company_notices_by_default(app, users):
    with app.app_context():
        _user("ets10250.2").is_portal_contact = True
        db.session.commit()
        assert "collab@boulangerie.test" in _addresses("10250", Notice.INVOICE_ISSUED)
        assert "collab@boulangerie.test" in _addresses("10250", Notice.DOCUMENT_SENT)
        # Not the visits': a notice meant for whoever handles them.
        assert "collab@boulangerie.test" not in _addresses("10250", Notice.VISIT_OUTCOME)


def test_an_explicit_off_is_kept(app, users):
    with app.app_context():
        admin = _user("ets10250")
        notifications.set_choices(admin, {Notice.DOCUMENT_SENT: False})
        db.session.commit()
        assert "admin@boulangerie.test" not in _addresses("10250", Notice.DOCUMENT_SENT)
        assert "admin@boulangerie.test" in _addresses("10250", Notice.INVOICE_ISSUED)
        assert notifications.choices_of(admin)[Notice.DOCUMENT_SENT] is False


def test_each_address_once_per_member(app, users):
    with app.app_context():
        collaborator = _user("ets10250.2")
        collaborator.email = "admin@boulangerie.test"  # a shared mailbox
        notifications.set_choice(collaborator, Notice.VISIT_SCHEDULED, True)
        db.session.commit()
        assert _addresses("10250", Notice.VISIT_SCHEDULED) == ["admin@boulangerie.test"]


def test_an_inactive_user_gets_nothing(app, users):
    with app.app_context():
        _user("ets10250").active = False
        db.session.commit()
        assert "admin@boulangerie.test" not in _addresses("10250", Notice.DOCUMENT_SENT)


def test_the_unsubscribe_token_names_one_user_and_one_notice(app, users):
    with app.app_context():
        admin, other = _user("ets10250"), _user("ets10251")
        token = notifications.unsubscribe_token(admin.id, Notice.DOCUMENT_SENT)
        assert notifications.read_unsubscribe_token(token) == (admin, Notice.DOCUMENT_SENT)

        notifications.set_choice(admin, Notice.DOCUMENT_SENT, False)
        db.session.commit()
        assert notifications.choices_of(admin)[Notice.DOCUMENT_SENT] is False
        others = notifications.choices_of(admin)
        del others[Notice.DOCUMENT_SENT]
        assert all(others.values())  # the other notices untouched
        assert notifications.choices_of(other)[Notice.DOCUMENT_SENT] is True


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature
        lambda token: "x" + token,
        lambda token: "",
        lambda token: "not-a-token",
    ],
)
def test_an_altered_token_reads_as_none(app, users, change):
    with app.app_context():
        token = notifications.unsubscribe_token(_user("ets10250").id, Notice.DOCUMENT_SENT)
        assert notifications.read_unsubscribe_token(change(token)) is None


def test_a_token_signed_with_another_key_or_for_staff_reads_as_none(app, users):
    with app.app_context():
        admin_id = _user("ets10250").id
        staff_id = _user("gestion").id
        token = notifications.unsubscribe_token(admin_id, Notice.DOCUMENT_SENT)
        staff_token = notifications.unsubscribe_token(staff_id, Notice.DOCUMENT_SENT)
        assert notifications.read_unsubscribe_token(staff_token) is None  # no member: no notices
        app.config["SECRET_KEY"] = "another key, another service, 32 characters or more"
        assert notifications.read_unsubscribe_token(token) is None
