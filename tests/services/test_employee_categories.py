"""Categories stored on employees follow the catalogue: the 1 October 2025 change (décret
2025-355) moves driving-authorisation and electrical-clearance-only employees from SIR to SI."""

import json
from datetime import date

from sqlalchemy import select

from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.employee import Employee, EmployeeRisk
from app.models.job import Job, JobStatus
from app.models.risk import Risk
from app.services import employees
from tests.conftest import login, post_form


def _holders(code: str):
    return db.session.scalars(
        select(Employee)
        .join(EmployeeRisk, EmployeeRisk.employee_id == Employee.id)
        .join(Risk, Risk.id == EmployeeRisk.risk_id)
        .where(Risk.code == code)
    ).all()


def test_the_decree_moves_forklift_drivers_from_sir_to_si_and_keeps_the_trace(app):
    with app.app_context():
        drivers = _holders("CONDUITE_CHARIOT")
        assert drivers
        employees.recompute_categories(date(2025, 9, 30))  # as they stood before the decree
        assert all(employee.category is FollowUp.SIR for employee in drivers)
        changed = employees.recompute_categories(date(2025, 10, 1))
        assert changed >= len(drivers)
        for employee in drivers:
            assert employee.category is FollowUp.SI
            assert employee.previous_category is FollowUp.SIR
            assert employee.category_changed_on == date(2025, 10, 1)


def test_a_driver_with_another_sir_risk_stays_sir(app):
    with app.app_context():
        driver = _holders("CONDUITE_CHARIOT")[0]
        asbestos = db.session.scalar(select(Risk).where(Risk.code == "AMIANTE"))
        driver.risks.append(EmployeeRisk(member_id=driver.member_id, risk_id=asbestos.id))
        driver.category = FollowUp.SIR
        db.session.flush()
        employees.recompute_categories(date(2025, 10, 1))
        assert driver.category is FollowUp.SIR


def test_editing_a_category_period_in_the_back_office_recomputes_employees(app):
    with app.app_context():
        night = _holders("NUIT")
        assert night and all(employee.category is FollowUp.SIA for employee in night)
        period = db.session.scalar(select(Risk).where(Risk.code == "NUIT")).categories[0]
        period_id, risk_id = period.id, period.risk_id
    client = app.test_client()
    login(client, "gestion")
    response = post_form(
        client,
        f"/backofficeriskcategoryview/edit/{period_id}",
        {"risk": str(risk_id), "category": "SIR", "valid_from": "", "valid_until": ""},
    )
    assert response.status_code == 302
    with app.app_context():  # the request returns at once: a job recomputes
        (job,) = db.session.scalars(select(Job).where(Job.kind == "recompute_categories")).all()
        assert json.loads(job.params)["risk_ids"] == [risk_id]
        assert all(employee.category is FollowUp.SIA for employee in _holders("NUIT"))
    page = client.get(response.location)
    assert f"/backoffice/jobs/{job.id}" in page.text  # the flash links to the job's page
    response.close()  # as a WSGI server does once the answer is out: the job runs then
    with app.app_context():
        done = db.session.get(Job, job.id)
        assert done.status is JobStatus.DONE and done.outcome.startswith(f"{len(night)} ")
        assert all(employee.category is FollowUp.SIR for employee in _holders("NUIT"))
