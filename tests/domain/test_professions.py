"""Who may perform which exam (issue 9; exam_types.csv `performed_by`; R4624-10, R4624-24)."""

import csv
from pathlib import Path

import pytest

from app.domain.professions import ProfessionalRole as R
from app.domain.professions import allowed_roles, may_perform

EXAM_TYPES = Path(__file__).resolve().parents[2] / "app" / "data" / "reference" / "exam_types.csv"
VIP = {R.PHYSICIAN, R.COLLABORATOR, R.INTERN, R.NURSE}


def _performed_by() -> dict[str, str]:
    with EXAM_TYPES.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["performed_by"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("code", "roles"),
    [
        ("VIP_EMB", VIP),
        ("VIP_PER", VIP),
        ("INTERM", VIP),
        ("EMA_EMB", {R.PHYSICIAN}),
        ("EMA_PER", {R.PHYSICIAN}),
        ("REPRISE", {R.PHYSICIAN}),
        ("PRE_REPRISE", {R.PHYSICIAN}),
        ("DEMANDE", {R.PHYSICIAN}),
        ("MI_CARRIERE", {R.PHYSICIAN}),
        ("FIN_CARRIERE", {R.PHYSICIAN}),
        ("NCI", {R.PHYSICIAN}),
    ],
)
def test_each_reference_exam_type_is_performed_by_its_professions(code, roles):
    performed_by = _performed_by()[code]
    assert allowed_roles(performed_by) == roles
    for role in R:
        assert may_perform(role, performed_by) is (role in roles)


def test_a_medical_assistant_performs_no_examination():
    assert not any(may_perform(R.ASSISTANT, text) for text in set(_performed_by().values()))


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("Médecin du travail", {R.PHYSICIAN}),
        ("  professionnel   de SANTE ", VIP),
        ("medecin du travail", {R.PHYSICIAN}),
        # Unknown or missing: the physician only, who may perform every examination.
        ("", {R.PHYSICIAN}),
        (None, {R.PHYSICIAN}),
        ("infirmier", {R.PHYSICIAN}),
    ],
)
def test_the_text_is_read_without_case_accents_or_extra_spaces(text, roles):
    assert allowed_roles(text) == roles
