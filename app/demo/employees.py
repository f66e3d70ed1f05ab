"""Demo workforce: realistic employees for the demo members (10250 ~30 across SI/SIA/SIR with a
forklift driver (CACES) and one carrying the withdrawn item, 10251 ~20, 10252 ~60 temporary
workers). Deterministic, and loaded through the same service as the screens."""

import random
from datetime import date, timedelta

from sqlalchemy import select
from stdnum.fr import nir as stdnum_nir

from app import clock
from app.domain.follow_up import category_of
from app.extensions import db
from app.models.employee import Contract, Employee, Language, Sex, WorkPost
from app.models.member import Member
from app.models.risk import Risk
from app.services import employees

LAST_NAMES = (
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
    "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
    "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRE", "LEFEVRE", "MERCIER", "DUPONT", "LAMBERT",
    "BONNET", "FRANCOIS", "MARTINEZ", "LEGRAND", "GARNIER", "FAURE", "ROUSSEAU", "BLANC",
)  # fmt: skip
FIRST_NAMES = {
    Sex.M: ("Lucas", "Hugo", "Louis", "Nathan", "Gabriel", "Jules", "Arthur", "Léo", "Raphaël",
            "Théo", "Éric", "Jérôme"),
    Sex.F: ("Emma", "Jade", "Louise", "Alice", "Chloé", "Léa", "Manon", "Inès", "Camille", "Zoé",
            "Hélène", "Céline"),
}  # fmt: skip
# member number -> (count, [(pcs code, designation, risk codes)])
WORKFORCE = {
    "10250": (30, [
        ("636c", "Boulanger", ["BRUIT", "ACD"]),
        ("636c", "Pâtissier", ["NUIT"]),
        ("554a", "Vendeur", ["ECRAN"]),
        ("676a", "Manutentionnaire/Cariste", ["CONDUITE_CHARIOT"]),
        ("643a", "Chauffeur livreur", ["MANUT"]),
    ]),
    "10251": (20, [
        ("641a", "Conducteur routier", ["NUIT", "VIBR"]),
        ("653a", "Magasinier", ["CONDUITE_OLD"]),
        ("546c", "Agent d'exploitation", ["ECRAN"]),
    ]),
    "10252": (60, [
        ("676a", "Manutentionnaire", ["MANUT"]),
        ("673a", "Opérateur de production", ["BRUIT", "CMR"]),
        ("681a", "Ouvrier du bâtiment", ["ECHAF", "AMIANTE"]),
        ("525d", "Agent de service", []),
    ]),
}  # fmt: skip
BEFORE_DECREE = date(2025, 9, 30)


def _nir(rng: random.Random, sex: Sex, birth: date) -> str:
    sex_digit = 1 if sex is Sex.M else 2
    body = f"{sex_digit}{birth:%y%m}80{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    return body + stdnum_nir.calc_check_digits(body)


def _posts(member: Member, specs) -> list[tuple[WorkPost, list[str]]]:
    posts = []
    for code, designation, risks in specs:
        post = db.session.scalar(
            select(WorkPost).where(
                WorkPost.member_id == member.id, WorkPost.designation == designation
            )
        ) or employees.create_work_post(member, code, designation, "")
        posts.append((post, risks))
    return posts


def _input(rng, member, post, risk_ids, index: int) -> employees.EmployeeInput:
    sex = rng.choice([Sex.M, Sex.F])
    birth = date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28))
    hired = max(birth + timedelta(days=365 * 19), date(2005, 1, 3)) + timedelta(
        days=rng.randint(0, 4000)
    )
    hired = min(hired, clock.today() - timedelta(days=30))
    if member.is_temp_agency:
        contract = Contract.TEMPORARY
    else:
        contract = rng.choice([Contract.CDI, Contract.CDI, Contract.CDD])
    return employees.EmployeeInput(
        last_name=rng.choice(LAST_NAMES),
        first_name=rng.choice(FIRST_NAMES[sex]),
        birth_name=None,
        nir=_nir(rng, sex, birth),
        ntt=None,
        uses_ntt=False,
        language=Language.FR,
        sex=sex,
        birth_date=birth,
        address=None,
        country="France",
        postal_code=member.postal_code,
        city=member.city,
        work_post_id=post.id,
        complementary_info=None,
        establishment_id=member.establishments[index % len(member.establishments)].id,
        hired_on=hired,
        contract=contract,
        post_entry_on=hired,
        contract_end_on=None,
        risk_ids=risk_ids,
    )


def load() -> None:
    """Create the demo workforce of the members that have none yet."""
    risk_ids = dict(db.session.execute(select(Risk.code, Risk.id)).tuples().all())
    periods = employees.category_periods()
    for number, (count, specs) in WORKFORCE.items():
        member = db.session.scalar(select(Member).where(Member.number == number))
        if db.session.scalar(select(Employee.id).where(Employee.member_id == member.id).limit(1)):
            continue
        rng = random.Random(int(number))
        posts = _posts(member, specs)
        for index in range(count):
            post, codes = posts[index % len(posts)]
            if "CONDUITE_OLD" in codes:  # declared before it was withdrawn: kept as it is
                risks = {risk_ids[c] for c in codes if c != "CONDUITE_OLD"}
            else:
                risks = {risk_ids[c] for c in codes}
            employee = employees.save_employee(
                member, _input(rng, member, post, risks, index), None
            )
            if "CONDUITE_OLD" in codes:
                employee.risks.append(
                    employees.EmployeeRisk(member_id=member.id, risk_id=risk_ids["CONDUITE_OLD"])
                )
            # As declared before 1 October 2025, so that the notice of the decree shows.
            employee.category = category_of(codes, periods, BEFORE_DECREE)
        db.session.flush()
    employees.recompute_categories(clock.today())
