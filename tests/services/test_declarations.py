"""The yearly declaration (issue 11): the snapshot of the employees counted, one confirmation and
one invoice whatever happens at once, a changed workforce refused, the service's reopening with a
credit note and a new invoice."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import clock
from app.domain.billing import DeclarationStatus
from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.billing import Declaration, DeclarationEmployee, Invoice, InvoiceKind
from app.models.employee import Employee
from app.models.member import Member
from app.models.user import PortalUser
from app.services import ServiceError, declarations
from app.services.employee_list import in_workforce


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _count(model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def _this_year():
    return declarations.campaign_of(clock.today().year)


def test_the_current_situation_counts_the_workforce_per_category(app):
    with app.app_context():
        member = _member("10251")
        counts = declarations.current_counts(member.id, clock.today())
        for category in FollowUp:
            expected = _count(
                Employee,
                Employee.member_id == member.id,
                Employee.category == category,
                in_workforce(clock.today()),
            )
            assert counts.of(category) == expected
        assert counts.total == _count(
            Employee, Employee.member_id == member.id, in_workforce(clock.today())
        )
        assert counts.total > 0


def test_confirming_freezes_the_employees_counted_and_issues_one_invoice(app):
    with app.app_context():
        member, campaign = _member("10251"), _this_year()
        shown = declarations.current_counts(member.id, clock.today())
        assert declarations.status(campaign, None, clock.today()) is DeclarationStatus.TO_CONFIRM

        declaration, created = declarations.confirm(member, _user("ets10251"), campaign, shown)
        db.session.commit()

        assert created
        assert declarations.Counts.of_declaration(declaration) == shown
        frozen = db.session.execute(
            select(DeclarationEmployee.employee_id, DeclarationEmployee.category).where(
                DeclarationEmployee.declaration_id == declaration.id
            )
        ).all()
        workforce = db.session.execute(
            select(Employee.id, Employee.category).where(
                Employee.member_id == member.id, in_workforce(clock.today())
            )
        ).all()
        assert sorted(frozen) == sorted(workforce)
        invoice = declaration.invoice
        assert invoice.kind is InvoiceKind.INVOICE
        assert invoice.total == campaign.base_fee * shown.total  # whatever the category
        assert invoice.number.startswith(f"{clock.today().year}-")
        assert invoice.member_number == "10251"
        assert _count(AuditEntry, AuditEntry.action == "declaration.confirmed") >= 1

        # The snapshot does not follow later changes of the workforce.
        employee = db.session.get(Employee, frozen[0][0])
        employee.contract_end_on = clock.today() - timedelta(days=1)
        db.session.commit()
        again = declarations.live_declaration(member.id, campaign.year)
        assert declarations.Counts.of_declaration(again) == shown
        assert declarations.current_counts(member.id, clock.today()).total == shown.total - 1


def test_a_second_confirmation_changes_nothing(app):
    with app.app_context():
        member, campaign = _member("10251"), _this_year()
        shown = declarations.current_counts(member.id, clock.today())
        first, _ = declarations.confirm(member, _user("ets10251"), campaign, shown)
        db.session.commit()
        invoices = _count(Invoice)
        second, created = declarations.confirm(member, _user("ets10251"), campaign, shown)
        db.session.commit()
        assert not created
        assert second.id == first.id
        assert _count(Invoice) == invoices


def test_a_workforce_changed_since_the_page_was_shown_is_refused_with_nothing_saved(app):
    with app.app_context():
        member, campaign = _member("10251"), _this_year()
        shown = declarations.current_counts(member.id, clock.today())
        stale = declarations.Counts(shown.sir, shown.sia, shown.si + 1)
        before = (_count(Declaration), _count(Invoice), _count(DeclarationEmployee))
        with pytest.raises(ServiceError) as refused:
            declarations.confirm(member, _user("ets10251"), campaign, stale)
        db.session.rollback()
        assert refused.value.code == "declaration_changed"
        assert (_count(Declaration), _count(Invoice), _count(DeclarationEmployee)) == before


def test_a_campaign_not_open_yet_cannot_be_confirmed(app):
    with app.app_context():
        member, campaign = _member("10251"), _this_year()
        campaign.opens_on = clock.today() + timedelta(days=3)
        with pytest.raises(ServiceError) as refused:
            declarations.confirm(member, _user("ets10251"), campaign, None)
        db.session.rollback()
        assert refused.value.code == "campaign_not_open"


def test_two_users_of_one_member_confirming_at_once_make_one_confirmation_and_one_invoice(app):
    with app.app_context():
        member_id = _member("10251").id
        campaign_id = _this_year().id
        shown = declarations.current_counts(member_id, clock.today())
        user_ids = [_user("ets10251").id] * 4
        invoices_before = _count(Invoice)
    barrier = threading.Barrier(len(user_ids))
    results, errors = [], []

    def confirm(user_id):
        with app.app_context():
            try:
                member = db.session.get(Member, member_id)
                campaign = db.session.get(declarations.Campaign, campaign_id)
                barrier.wait()
                declaration, created = declarations.confirm(
                    member, db.session.get(PortalUser, user_id), campaign, shown
                )
                db.session.commit()
                results.append((declaration.id, created))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len({declaration_id for declaration_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    with app.app_context():
        assert _count(Declaration, Declaration.member_id == member_id) == 2  # last year's too
        assert _count(Invoice) == invoices_before + 1


def test_reopening_cancels_the_invoice_with_a_credit_note_and_a_new_confirmation_reinvoices(app):
    with app.app_context():
        member, campaign = _member("10251"), _this_year()
        user, staff = _user("ets10251"), _user("gestion")
        shown = declarations.current_counts(member.id, clock.today())
        declaration, _ = declarations.confirm(member, user, campaign, shown)
        db.session.commit()
        first_invoice = declaration.invoice

        with pytest.raises(ServiceError) as refused:
            declarations.reopen(declaration, staff, "  ")
        assert refused.value.code == "reopen_reason_required"
        db.session.rollback()

        note = declarations.reopen(declaration, staff, "Trois intérimaires oubliés")
        db.session.commit()
        assert note.kind is InvoiceKind.CREDIT_NOTE
        assert note.credits_id == first_invoice.id
        assert note.total == first_invoice.total
        db.session.refresh(first_invoice)
        assert first_invoice.credited_by_id == note.id
        assert declaration.reopened_by_id == staff.id
        assert declaration.reopen_reason == "Trois intérimaires oubliés"
        assert declarations.live_declaration(member.id, campaign.year) is None
        assert _count(AuditEntry, AuditEntry.action == "declaration.reopened") == 1

        with pytest.raises(ServiceError) as twice:
            declarations.reopen(declaration, staff, "encore")
        assert twice.value.code == "declaration_already_reopened"
        db.session.rollback()

        again, created = declarations.confirm(member, user, campaign, shown)
        db.session.commit()
        assert created and again.id != declaration.id
        sequences = sorted(
            db.session.scalars(select(Invoice.sequence).where(Invoice.year == clock.today().year))
        )
        assert sequences == list(range(1, len(sequences) + 1))  # no gap
        assert again.invoice.sequence == note.sequence + 1
        assert first_invoice.number != again.invoice.number  # never renumbered


def test_the_entry_fee_is_invoiced_the_year_the_member_joined(app):
    with app.app_context():
        member, campaign = _member("10251"), _this_year()
        member.joined_on = clock.today().replace(month=1, day=2)
        declaration, _ = declarations.confirm(member, _user("ets10251"), campaign, None)
        db.session.commit()
        labels = [line.label for line in declaration.invoice.lines]
        assert labels[-1] == f"Droit d'entrée {campaign.year}"
        assert declaration.invoice.total == (
            campaign.base_fee * declaration.total + campaign.entry_fee
        )
        assert isinstance(declaration.invoice.total, Decimal)
