"""The import template: read back by the import itself, every header matched, the example row
valid, the code lists on their own sheets."""

import io
from datetime import date

from openpyxl import load_workbook

from app.domain.employee_import import COLUMNS, match_headers, parse_row
from app.domain.nir import check_nir, nir_warnings
from app.imports.spreadsheet import open_sheet
from app.imports.template import EXAMPLE_NIR, template_chunks

RISKS = [("ACD", "Agents chimiques dangereux"), ("BRUIT", "Bruit"), ("ECRAN", "Écran")]
PCS = [("552a", "Caissiers de magasin"), ("553c", "Autres vendeurs non spécialisés")]
SIRET = "73282932000074"


def _template(risks=RISKS, pcs=PCS, siret=SIRET) -> bytes:
    return b"".join(template_chunks(risks, pcs, siret))


def _example(data: bytes) -> dict:
    with open_sheet(data, "modele.xlsx", 30_000) as sheet:
        headers, rows = sheet.headers, list(sheet.rows())
    assert len(rows) == 1 and rows[0][0] == 2
    return dict(zip(headers, rows[0][1], strict=True))


def test_template_is_read_back_with_every_header_matched():
    with open_sheet(_template(), "modele.xlsx", 30_000) as sheet:
        headers = sheet.headers
    assert headers == [column.header for column in COLUMNS]
    found = match_headers(headers)
    assert (found.unknown, found.duplicated, found.missing) == ([], [], [])
    assert list(found.fields.values()) == [column.key for column in COLUMNS]


def test_example_row_is_a_made_up_person_with_a_valid_nir():
    example = _example(_template())
    assert example["Nom d'usage"] == "MARTIN" and example["Prénom"] == "Julie"
    assert example["Sexe"] == "F"
    assert example["Date de naissance"] == date(1990, 4, 12)
    assert type(example["Date de naissance"]) is date  # a real date cell, read as a date
    assert example["NIR"] == EXAMPLE_NIR == "290047505612368"
    assert check_nir(EXAMPLE_NIR) == (EXAMPLE_NIR, None)
    assert nir_warnings(EXAMPLE_NIR, "F", date(1990, 4, 12)) == []
    assert example["SIRET de l'établissement"] == SIRET
    assert example["Code PCS-ESE"] == "553c" and example["Poste"] == "Vendeur"
    assert example["Risques"] == "ECRAN|BRUIT"
    assert example["Date d'entrée dans l'entreprise"] == date(2020, 9, 1)
    assert example["Date d'entrée dans le poste"] == date(2022, 1, 3)
    assert example["Date de fin de contrat"] is None
    assert (example["Apprenti"], example["Travail de nuit"]) == ("non", "non")


def test_example_row_takes_its_codes_from_the_lists_given():
    risks = [("CMR", "Cancérogènes"), ("AMIANTE", "Amiante"), ("PLOMB", "Plomb")]
    example = _example(_template(risks=risks, pcs=[("621a", "Chefs")], siret=None))
    assert example["Risques"] == "CMR|AMIANTE"
    assert example["Code PCS-ESE"] == "621a"
    assert example["SIRET de l'établissement"] is None
    empty = _example(_template(risks=[], pcs=[], siret=None))
    assert empty["Risques"] is None and empty["Code PCS-ESE"] is None


def test_code_lists_are_on_their_own_sheets():
    workbook = load_workbook(io.BytesIO(_template()))
    assert workbook.sheetnames == ["Salariés", "Codes risques", "Codes PCS-ESE"]
    risks = [[cell.value for cell in row] for row in workbook["Codes risques"].iter_rows()]
    pcs = [[cell.value for cell in row] for row in workbook["Codes PCS-ESE"].iter_rows()]
    assert risks == [["Code", "Libellé"], *map(list, RISKS)]
    assert pcs == [["Code", "Libellé"], *map(list, PCS)]
    birth = workbook["Salariés"]["E2"]
    assert birth.is_date and birth.number_format == "dd/mm/yyyy"


def test_example_row_passes_the_row_checks_of_the_import():
    with open_sheet(_template(), "modele.xlsx", 30_000) as sheet:
        fields = match_headers(sheet.headers).fields
        (_line, cells), *_ = list(sheet.rows())
    parsed = parse_row({key: cells[index] for index, key in fields.items()})
    assert parsed.errors == []
    assert parsed.values["contract"] == "cdi" and parsed.values["risks"] == ["ECRAN", "BRUIT"]
    assert parsed.values["apprentice"] is False and parsed.values["night_work"] is False
