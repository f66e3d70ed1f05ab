"""Loading the reference files of app/data/reference (copied from shared/data, provenance in its
SOURCES.md). Only missing rows are inserted, by natural key, so staff edits survive a reload."""

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.centre import Centre
from app.models.contact import ContactKind, ContactType
from app.models.reference import DocumentClass, DocumentSubclass, ExamType, PcsCode, PostalCode
from app.models.risk import Risk, RiskCategory


def _rows(path: Path, free_text: str = "label") -> list[dict]:
    """The rows as dicts. A row with more fields than the header had an unquoted comma in its
    free-text column (risks.csv, MANUT): the overflow is joined back into that column."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = []
        for fields in reader:
            overflow = len(fields) - len(header)
            if overflow > 0:
                at = header.index(free_text)
                fields[at : at + overflow + 1] = [",".join(fields[at : at + overflow + 1])]
            rows.append({k: v.strip() for k, v in zip(header, fields, strict=True)})
        return rows


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _existing(*columns) -> set:
    if len(columns) == 1:
        return set(db.session.scalars(select(columns[0])))
    return {tuple(row) for row in db.session.execute(select(*columns))}


def _insert(model, rows: list[dict]) -> int:
    if rows:
        db.session.execute(model.__table__.insert(), rows)
    return len(rows)


def load_risks(folder: Path) -> int:
    known = _existing(Risk.code)
    new = [
        {
            "code": row["code"],
            "label": row["label"],
            "declarable_from": _date(row["declarable_from"]),
            "declarable_until": _date(row["declarable_until"]),
            "note": row["note"] or None,
        }
        for row in _rows(folder / "risks.csv")
        if row["code"] not in known
    ]
    return _insert(Risk, new)


def load_risk_categories(folder: Path) -> int:
    ids = {code: risk_id for code, risk_id in db.session.execute(select(Risk.code, Risk.id))}
    known = _existing(RiskCategory.risk_id, RiskCategory.valid_from)
    new = []
    for row in _rows(folder / "risk_categories.csv"):
        key = (ids[row["code"]], _date(row["valid_from"]))
        if key not in known:
            new.append(
                {
                    "risk_id": key[0],
                    "valid_from": key[1],
                    "valid_until": _date(row["valid_until"]),
                    "category": FollowUp(row["category"]).value,
                }
            )
    return _insert(RiskCategory, new)


def load_centres(folder: Path) -> int:
    known = _existing(Centre.name)
    fields = ("sector", "name", "address", "postal_code", "city", "phone", "note")
    new = [
        {field: row[field] or None for field in fields}
        for row in _rows(folder / "centres.csv")
        if row["name"] not in known
    ]
    return _insert(Centre, new)


def load_exam_types(folder: Path) -> int:
    known = _existing(ExamType.code)
    fields = ("code", "label", "performed_by", "note")
    new = [
        {field: row[field] or None for field in fields}
        for row in _rows(folder / "exam_types.csv")
        if row["code"] not in known
    ]
    return _insert(ExamType, new)


def load_document_classes(folder: Path) -> int:
    known = _existing(DocumentClass.code)
    added = 0
    for row in _rows(folder / "document_classes.csv"):
        if row["code"] in known:
            continue
        subclasses = [DocumentSubclass(label=s) for s in row["subclasses"].split("|") if s]
        db.session.add(
            DocumentClass(
                code=row["code"],
                label=row["label"],
                direction=row["direction"],
                subclasses=subclasses,
            )
        )
        added += 1
    db.session.flush()
    return added


def load_pcs_codes(folder: Path) -> int:
    known = _existing(PcsCode.code)
    new = [row for row in _rows(folder / "pcs_ese.csv") if row["code"] not in known]
    return _insert(PcsCode, new)


def load_postal_codes(folder: Path) -> int:
    columns = (PostalCode.insee_code, PostalCode.postal_code, PostalCode.commune)
    columns += (PostalCode.delivery_label,)
    known = _existing(*columns)
    new = [
        row
        for row in _rows(folder / "postal_codes.csv")
        if (row["insee_code"], row["postal_code"], row["commune"], row["delivery_label"])
        not in known
    ]
    return _insert(PostalCode, new)


OWN_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


def load_contact_types(folder: Path) -> int:
    """The project's own list (it travels with the code, whatever `folder` the others come
    from)."""
    known = _existing(ContactType.code)
    path = folder / "contact_types.csv"
    new = [
        {
            "code": row["code"],
            "label": row["label"],
            "kind": ContactKind[row["kind"]],
            "position": int(row["position"]),
            "is_active": True,
        }
        for row in _rows(path if path.exists() else OWN_DIR / "contact_types.csv")
        if row["code"] not in known
    ]
    return _insert(ContactType, new)


LOADERS = {
    "risks": load_risks,
    "risk_categories": load_risk_categories,
    "centres": load_centres,
    "exam_types": load_exam_types,
    "document_classes": load_document_classes,
    "pcs_codes": load_pcs_codes,
    "postal_codes": load_postal_codes,
    "contact_types": load_contact_types,
}


def load_all(folder: Path) -> dict[str, int]:
    """Insert what is missing from every file; returns the number of rows added per list."""
    counts = {}
    for name, loader in LOADERS.items():
        counts[name] = loader(Path(folder))
        db.session.flush()
    return counts
