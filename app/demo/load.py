"""Demo data (README, "Comptes de démonstration"): staff accounts, health teams and three members.
Idempotent: every row is looked up by its natural key before being created."""

from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app import permissions
from app.demo import billing as demo_billing
from app.demo import contact as demo_contact
from app.demo import documents as demo_documents
from app.demo import employees as demo_employees
from app.demo import reminders as demo_reminders
from app.demo import visits as demo_visits
from app.extensions import db
from app.models.centre import Centre, HealthProfessional, HealthTeam, ProfessionalRole
from app.models.member import Contact, Establishment, Member
from app.services import (
    accounts,
    members,
    provisioning,
    reference_data,
    roles,
)

STAFF = [
    ("admin", "Admin-demo-2026", permissions.ROLE_ADMIN, "Alice", "ADMINISTRATRICE"),
    ("gestion", "Gestion-demo-2026", permissions.ROLE_STAFF, "Gaëlle", "GESTIONNAIRE"),
]

TEAMS = [
    {
        "name": "Équipe Amiens Siège 1",
        "centre": "AMIENS – SIÈGE SOCIAL",
        "email": "equipe.amiens1@asmis.example",
        "phone": "03 22 54 58 10",
        "people": [
            (ProfessionalRole.PHYSICIAN, "MARTIN", "Claire", "c.martin@asmis.example"),
            (ProfessionalRole.NURSE, "DUBOIS", "Julien", "j.dubois@asmis.example"),
            (ProfessionalRole.ASSISTANT, "LEROY", "Sandrine", "s.leroy@asmis.example"),
        ],
    },
    {
        "name": "Équipe Abbeville",
        "centre": "ABBEVILLE",
        "email": "equipe.abbeville@asmis.example",
        "phone": "03 22 24 04 46",
        "people": [
            (ProfessionalRole.PHYSICIAN, "PETIT", "Olivier", "o.petit@asmis.example"),
            (ProfessionalRole.NURSE, "MOREAU", "Élodie", "e.moreau@asmis.example"),
        ],
    },
]

MEMBERS = [
    {
        "number": "10250",
        "name": "BOULANGERIE DEMO",
        "siret": "10250000600014",
        "naf_code": "1071C",
        "address": "12 rue des Trois Cailloux",
        "postal_code": "80000",
        "city": "AMIENS",
        "phone": "03 22 00 00 01",
        "email": "contact@boulangerie-demo.example",
        "is_temp_agency": False,
        "joined_on": date(2012, 3, 1),
        "team": "Équipe Amiens Siège 1",
    },
    {
        "number": "10251",
        "name": "TRANSPORTS DEMO",
        "siret": "10251000500014",
        "naf_code": "4941A",
        "address": "5 avenue de l'Europe",
        "postal_code": "80100",
        "city": "ABBEVILLE",
        "phone": "03 22 00 00 02",
        "email": "contact@transports-demo.example",
        "is_temp_agency": False,
        "joined_on": date(2015, 9, 15),
        "team": "Équipe Abbeville",
    },
    {
        "number": "10252",
        "name": "INTERIM DEMO",
        "siret": "10252000400015",
        "naf_code": "7820Z",
        "address": "40 boulevard Alsace-Lorraine",
        "postal_code": "80000",
        "city": "AMIENS",
        "phone": "03 22 00 00 03",
        "email": "agence@interim-demo.example",
        "is_temp_agency": True,
        "joined_on": date(2019, 1, 7),
        "team": "Équipe Amiens Siège 1",
    },
]

# (member number, username, password, roles, first name, usage name, e-mail, portal contact)
MEMBER_USERS = [
    (
        "10250",
        "ets10250",
        "Adherent-demo-2026",
        [permissions.ROLE_MEMBER, permissions.ROLE_MEMBER_ADMIN],
        "Bernard",
        "BOULANGER",
        "bernard@boulangerie-demo.example",
        True,
    ),
    (
        "10250",
        "ets10250.2",
        "Collab-demo-2026",
        [permissions.ROLE_MEMBER, "right.employees.read", "right.visits"],
        "Camille",
        "VENDEUSE",
        "camille@boulangerie-demo.example",
        False,
    ),
    (
        "10251",
        "ets10251",
        "Adherent-demo-2026",
        [permissions.ROLE_MEMBER, permissions.ROLE_MEMBER_ADMIN],
        "Thierry",
        "ROUTIER",
        "thierry@transports-demo.example",
        True,
    ),
]
PROVISIONAL = {"10252": "Provisoire-10252"}


def _team(spec: dict) -> HealthTeam:
    team = db.session.scalar(select(HealthTeam).where(HealthTeam.name == spec["name"]))
    if team is None:
        centre = db.session.scalar(select(Centre).where(Centre.name == spec["centre"]))
        team = HealthTeam(
            name=spec["name"], centre=centre, email=spec["email"], phone=spec["phone"]
        )
        team.professionals = [
            HealthProfessional(role=role, last_name=last, first_name=first, email=email)
            for role, last, first, email in spec["people"]
        ]
        db.session.add(team)
    return team


def _member(spec: dict, teams: dict[str, HealthTeam]) -> Member:
    member = db.session.scalar(select(Member).where(Member.number == spec["number"]))
    if member is None:
        fields = {k: v for k, v in spec.items() if k != "team"}
        team = teams[spec["team"]]
        member = Member(**fields, health_team=team, centre=team.centre)
        members.prepare_new_member(member)
        member.establishments.append(
            Establishment(
                siret=spec["siret"][:9] + "00022",
                name=f"{spec['name']} - ANNEXE",
                city=spec["city"],
                postal_code=spec["postal_code"],
            )
        )
        member.contacts.append(
            Contact(last_name="COMPTABLE", first_name="Anne", role="Comptabilité")
        )
        db.session.add(member)
        db.session.flush()
    return member


def _user(username, password, role_names, **fields) -> None:
    if accounts.find_user(username) is None:
        accounts.create_user(username=username, password=password, roles=role_names, **fields)


def load(reference_dir: Path) -> None:
    roles.ensure_roles(current_app.appbuilder.sm)
    reference_data.load_all(reference_dir)
    for username, password, role, first, last in STAFF:
        _user(
            username,
            password,
            [role],
            first_name=first,
            last_name=last,
            email=f"{username}@asmis.example",
        )
    teams = {spec["name"]: _team(spec) for spec in TEAMS}
    by_number = {spec["number"]: _member(spec, teams) for spec in MEMBERS}
    for number, username, password, role_names, first, last, email, contact in MEMBER_USERS:
        _user(
            username,
            password,
            role_names,
            first_name=first,
            last_name=last,
            email=email,
            member_id=by_number[number].id,
            is_portal_contact=contact,
            phone="0322000000",
        )
    demo_employees.load()
    demo_visits.load()
    demo_reminders.load()
    demo_documents.load()
    demo_billing.load()
    demo_contact.load()
    for number, password in PROVISIONAL.items():
        member = by_number[number]
        if provisioning.usable_credential(member) is None and not provisioning.has_portal_account(
            member
        ):
            provisioning.issue_credentials(member, password=password)
    db.session.flush()
