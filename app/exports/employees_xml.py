"""XML export of a member's employee list: rows in, a stream of UTF-8 bytes out.

The document follows the stable schema ``employees.xsd`` (namespace
``urn:spst:portail:salaries:1``): an incompatible change means a new namespace, never an edit of
this one. The standard library's SAX ``XMLGenerator`` does the escaping; it writes into an
in-memory buffer that is handed out and emptied every ``ROWS_PER_CHUNK`` employees, so memory
stays constant whatever the number of rows.
"""

import enum
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import XMLGenerator

NAMESPACE = "urn:spst:portail:salaries:1"
EMPLOYEES_XSD_PATH = Path(__file__).with_name("employees.xsd")
ROWS_PER_CHUNK = 500

# (row key, element name), in the order the schema's xs:sequence requires.
EMPLOYEE_FIELDS = [
    ("number", "numero"),
    ("last_name", "nom-usage"),
    ("first_name", "prenom"),
    ("birth_name", "nom-naissance"),
    ("birth_date", "date-naissance"),
    ("nir", "nir"),
    ("ntt", "ntt"),
    ("sex", "sexe"),
    ("work_post", "poste"),
    ("pcs_code", "code-pcs"),
    ("establishment", "etablissement"),
    ("establishment_siret", "siret-etablissement"),
    ("contract", "contrat"),
    ("hired_on", "date-embauche"),
    ("post_entry_on", "date-entree-poste"),
    ("contract_end_on", "date-fin-contrat"),
    ("category", "categorie"),
    ("last_exam_on", "dernier-examen"),
]
# Elements with minOccurs="0": omitted when the value is None or empty.
OPTIONAL_KEYS = frozenset(
    {
        "birth_name",
        "nir",
        "ntt",
        "pcs_code",
        "establishment_siret",
        "contract_end_on",
        "last_exam_on",
    }
)

# Characters XML 1.0 cannot carry at all, even escaped, and the other control characters (DEL
# and C1, category Cc), which it can but no reader expects: dropped rather than break the
# document. The portal refuses them at input (app.views.params); rows stored before may hold some.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Written for a required text made of such characters only: the row stays in the document.
UNREADABLE = "\ufffd"


def employees_xml_chunks(
    member_number: str, exported_at: datetime, rows: Iterable[Mapping]
) -> Iterator[bytes]:
    """The ``<salaries>`` document for one member, as chunks of UTF-8 bytes.

    Each row maps the keys of ``EMPLOYEE_FIELDS`` to str, int, date or Enum (its value) values.
    A required value that is None or empty raises ValueError when its row is reached, which
    ends the stream there: callers pass rows that satisfy the model's NOT NULL columns. A text
    left empty once its control characters are dropped is omitted when optional, and written as
    U+FFFD when required.
    """
    buffer = io.BytesIO()
    xml = XMLGenerator(buffer, encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement(
        "salaries",
        {
            "xmlns": NAMESPACE,
            "adherent": _clean(str(member_number)),
            "exporte-le": exported_at.isoformat(timespec="seconds"),
        },
    )
    for count, row in enumerate(rows, start=1):
        _write_employee(xml, row)
        if count % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    xml.ignorableWhitespace("\n")
    xml.endElement("salaries")
    xml.ignorableWhitespace("\n")
    xml.endDocument()
    yield _drain(buffer)


def _write_employee(xml: XMLGenerator, row: Mapping) -> None:
    xml.ignorableWhitespace("\n  ")
    xml.startElement("salarie", {})
    for key, element in EMPLOYEE_FIELDS:
        text = _text(row[key])
        if not text:
            if key in OPTIONAL_KEYS:
                continue
            if text is None:
                raise ValueError(f"employee {row.get('number')!r}: {key} is required")
            text = UNREADABLE
        xml.ignorableWhitespace("\n    ")
        xml.startElement(element, {})
        xml.characters(text)
        xml.endElement(element)
    xml.ignorableWhitespace("\n  ")
    xml.endElement("salarie")


def _text(value) -> str | None:
    """The element's text (xs:date as ISO 8601) without the characters XML cannot carry, or
    None when there is no value."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else str(value)
    return _clean(text) if text else None


def _clean(text: str) -> str:
    return _NOT_XML_CHAR.sub("", text)


def _drain(buffer: io.BytesIO) -> bytes:
    chunk = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return chunk
