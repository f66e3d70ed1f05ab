"""Who may perform which medical examination (issue 9, "Scheduling ignores who may perform the
exam"; shared/data/exam_types.csv, column `performed_by`; Code du travail R4624-10 and R4624-24).

The VIP (visite d'information et de prévention) and the intermediate visit are carried out by a
"professionnel de santé": the médecin du travail, the collaborateur médecin, the interne en
médecine du travail or the infirmier en santé au travail (R4624-10). The aptitude examinations
(EMA), the return-to-work and the other physician's visits are carried out by the médecin du
travail (R4624-24, R4624-31...). A medical assistant performs none of them.

The rule is read from the exam type's `performed_by` text, the reference data staff already keep
up to date: an unknown or empty text allows the médecin du travail only (the one professional who
may perform every examination), never more.
"""

import enum

from app.domain.names import strip_accents


class ProfessionalRole(enum.Enum):
    PHYSICIAN = "physician"  # médecin du travail
    COLLABORATOR = "collaborator"  # collaborateur médecin (physician in training, R4623-25)
    INTERN = "intern"  # interne en médecine du travail
    NURSE = "nurse"  # infirmier / infirmière en santé au travail
    ASSISTANT = "assistant"  # assistant(e) médical(e)


PHYSICIAN_ONLY = frozenset({ProfessionalRole.PHYSICIAN})
HEALTH_PROFESSIONALS = frozenset(
    {
        ProfessionalRole.PHYSICIAN,
        ProfessionalRole.COLLABORATOR,
        ProfessionalRole.INTERN,
        ProfessionalRole.NURSE,
    }
)
# `performed_by` of exam_types.csv, without accents or case.
PERFORMERS = {
    "medecin du travail": PHYSICIAN_ONLY,
    "professionnel de sante": HEALTH_PROFESSIONALS,
}


def _key(text: str) -> str:
    return " ".join(strip_accents(text).lower().split())


def allowed_roles(performed_by: str | None) -> frozenset[ProfessionalRole]:
    """The professions that may perform an exam whose `performed_by` is this text."""
    return PERFORMERS.get(_key(performed_by or ""), PHYSICIAN_ONLY)


def may_perform(role: ProfessionalRole, performed_by: str | None) -> bool:
    return role in allowed_roles(performed_by)
