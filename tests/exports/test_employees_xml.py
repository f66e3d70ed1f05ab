"""The employee list XML export: parsed with lxml and validated against its published schema."""

import tracemalloc
from datetime import date, datetime

import pytest
from lxml import etree

from app.domain.follow_up import FollowUp
from app.exports.employees_xml import (
    EMPLOYEE_FIELDS,
    EMPLOYEES_XSD_PATH,
    NAMESPACE,
    UNREADABLE,
    employees_xml_chunks,
)

NS = {"s": NAMESPACE}
XS = {"xs": "http://www.w3.org/2001/XMLSchema"}
EXPORTED_AT = datetime(2026, 11, 29, 10, 0)
REQUIRED = [
    "numero",
    "nom-usage",
    "prenom",
    "date-naissance",
    "sexe",
    "poste",
    "etablissement",
    "contrat",
    "date-embauche",
    "date-entree-poste",
    "categorie",
]


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(EMPLOYEES_XSD_PATH)))


def make_row(**overrides):
    row = {
        "number": 1,
        "last_name": "MARTIN",
        "first_name": "Zoé",
        "birth_name": "DURAND",
        "birth_date": date(1995, 10, 3),
        "nir": "2 95 10 •• ••• ••• 93",
        "ntt": "NTT123",
        "sex": "F",
        "work_post": "Cariste",
        "pcs_code": "621a",
        "establishment": "Entrepôt de Rungis",
        "establishment_siret": "12345678900021",
        "contract": "cdi",
        "hired_on": date(2020, 1, 6),
        "post_entry_on": date(2021, 3, 1),
        "contract_end_on": date(2027, 1, 31),
        "category": FollowUp.SIR,
        "last_exam_on": date(2025, 5, 12),
    }
    return row | overrides


def rows(count: int):
    for number in range(1, count + 1):
        yield make_row(number=number, last_name=f"NOM {number}")


def export(rows_) -> bytes:
    return b"".join(employees_xml_chunks("10250", EXPORTED_AT, rows_))


def test_document_is_valid_and_carries_member_and_export_time(schema):
    content = export([make_row(), make_row(number=2, sex="M", category="SI")])
    assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = etree.fromstring(content)
    schema.assertValid(root)
    assert root.tag == f"{{{NAMESPACE}}}salaries"
    assert root.get("adherent") == "10250"
    assert root.get("exporte-le") == "2026-11-29T10:00:00"
    assert len(root.findall("s:salarie", NS)) == 2


def test_elements_follow_the_schema_order_with_their_values(schema):
    employee = etree.fromstring(export([make_row()])).find("s:salarie", NS)
    assert [etree.QName(child).localname for child in employee] == [
        element for _key, element in EMPLOYEE_FIELDS
    ]
    assert employee.findtext("s:date-naissance", namespaces=NS) == "1995-10-03"
    assert employee.findtext("s:categorie", namespaces=NS) == "SIR"
    assert employee.findtext("s:nir", namespaces=NS) == "2 95 10 •• ••• ••• 93"


def test_names_are_escaped(schema):
    tricky = "<&>\"' O'Brien & <b>fils</b>"
    content = export([make_row(last_name=tricky, first_name="]]>", birth_name="a\x01b")])
    assert b"<b>" not in content
    root = etree.fromstring(content)
    schema.assertValid(root)
    employee = root.find("s:salarie", NS)
    assert employee.findtext("s:nom-usage", namespaces=NS) == tricky
    assert employee.findtext("s:prenom", namespaces=NS) == "]]>"
    assert employee.findtext("s:nom-naissance", namespaces=NS) == "ab"


def test_optional_elements_are_omitted_when_none(schema):
    optional = {key for key, element in EMPLOYEE_FIELDS if element not in REQUIRED}
    row = make_row(**dict.fromkeys(optional, None))
    root = etree.fromstring(export([row]))
    schema.assertValid(root)
    employee = root.find("s:salarie", NS)
    assert [etree.QName(child).localname for child in employee] == REQUIRED


def test_a_bad_category_fails_validation(schema):
    root = etree.fromstring(export([make_row(category="SIX")]))
    assert not schema.validate(root)
    assert "categorie" in str(schema.error_log.last_error)


@pytest.mark.parametrize(
    "overrides",
    [{"pcs_code": "62A1"}, {"establishment_siret": "123"}, {"sex": "X"}, {"nir": "1" * 22}],
)
def test_values_outside_the_schema_fail_validation(schema, overrides):
    assert not schema.validate(etree.fromstring(export([make_row(**overrides)])))


def test_control_characters_stored_before_they_were_refused_do_not_break_the_export(schema):
    """A name made of a NUL byte once made every export of the member fail (issue 8, item 9)."""
    content = export(
        [
            make_row(number=1, last_name="\x00", first_name="Zo\x85é", birth_name="\x7f\x1b"),
            make_row(number=2),
        ]
    )
    root = etree.fromstring(content)
    schema.assertValid(root)
    first, second = root.findall("s:salarie", NS)
    assert first.findtext("s:nom-usage", namespaces=NS) == UNREADABLE
    assert first.findtext("s:prenom", namespaces=NS) == "Zoé"
    assert first.find("s:nom-naissance", NS) is None
    assert second.findtext("s:numero", namespaces=NS) == "2"


def test_a_missing_required_value_is_refused():
    with pytest.raises(ValueError, match="work_post"):
        export([make_row(work_post=None)])


def test_an_empty_list_is_a_valid_document(schema):
    root = etree.fromstring(export([]))
    schema.assertValid(root)
    assert len(root) == 0


def test_20000_rows_stream_as_one_well_formed_valid_document(schema):
    parser = etree.XMLPullParser(events=("end",), schema=schema)
    chunks = 0
    employees = 0
    for chunk in employees_xml_chunks("10250", EXPORTED_AT, rows(20_000)):
        chunks += 1
        parser.feed(chunk)
        for _event, element in parser.read_events():
            if element.tag == f"{{{NAMESPACE}}}salarie":
                employees += 1
                element.clear()
    root = parser.close()
    assert root.tag == f"{{{NAMESPACE}}}salaries"
    assert employees == 20_000
    assert chunks > 1


def test_schema_documents_every_element_in_french():
    tree = etree.parse(str(EMPLOYEES_XSD_PATH))
    elements = tree.findall(".//xs:element", XS)
    undocumented = [
        element.get("name")
        for element in elements
        if not element.findtext("xs:annotation/xs:documentation", namespaces=XS)
    ]
    assert undocumented == []
    sequence = tree.find(".//xs:complexType[@name='Salarie']/xs:sequence", XS)
    assert [child.get("name") for child in sequence] == [e for _k, e in EMPLOYEE_FIELDS]


def _peak_bytes(count: int) -> int:
    tracemalloc.start()
    try:
        for _chunk in employees_xml_chunks("10250", EXPORTED_AT, rows(count)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_row_count():
    _peak_bytes(10)  # warm up: imports and caches are not what we measure
    small, large = _peak_bytes(2_000), _peak_bytes(20_000)
    print(f"xml peak: 2,000 rows {small} B, 20,000 rows {large} B")
    assert large < 1.5 * small
