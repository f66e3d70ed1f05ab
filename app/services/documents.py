"""Documents exchanged between a member and the service (issue 10; manual, "Documents"): the
member deposits PDFs (its DUERP among them), the service sends documents to one member, one
employee, or a list of members; the service acknowledges what it received, the member's first
download marks what it was sent as read.

Every file is checked by content (`pdf_uploads`), stored in the database in the caller's
transaction (nothing is left behind by a refusal or a rollback), and never changed afterwards.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from flask import current_app
from sqlalchemy import LargeBinary, delete, func, select, update

from app import clock
from app.extensions import db
from app.models.document import (
    DUERP_CLASS,
    Document,
    DocumentContent,
    DocumentDirection,
)
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import DocumentClass, DocumentSubclass
from app.services import ServiceError, audit, pdf_uploads
from app.services.pdf_uploads import PDF_TYPE, display_name

CHUNK = 1024 * 1024  # bytes read from the database per step of a download
MAX_DESCRIPTION = 500
MAX_NUMBER = 50
# Classes about one employee (document_classes.csv); the others concern the company.
EMPLOYEE_CLASSES = frozenset({"SAL", "ATT", "AVIS", "CONV"})


@dataclass(frozen=True)
class Upload:
    filename: str | None
    data: bytes


@dataclass(frozen=True)
class Details:
    """What the form says about the file ("Données de base")."""

    class_id: int | None
    description: str | None
    subclass_id: int | None = None
    number: str | None = None


def max_bytes() -> int:
    return current_app.config["DOCUMENT_MAX_BYTES"]


def usable_classes(direction: DocumentDirection, for_employee: bool) -> list[DocumentClass]:
    """The classes the reference data allows in this direction ("both" included), for a document
    of one employee or of the company."""
    about_employee = DocumentClass.code.in_(EMPLOYEE_CLASSES)
    return list(
        db.session.scalars(
            select(DocumentClass)
            .where(DocumentClass.direction.in_((direction.value, "both")))
            .where(about_employee if for_employee else ~about_employee)
            .order_by(DocumentClass.label)
        )
    )


def duerp_class() -> DocumentClass | None:
    return db.session.scalar(select(DocumentClass).where(DocumentClass.code == DUERP_CLASS))


def _checked_details(details: Details, direction: DocumentDirection, employee) -> Details:
    """The class allowed in this direction and for this kind of document, the sub-class of that
    class, a description."""
    document_class = db.session.get(DocumentClass, details.class_id or 0)
    if (
        document_class is None
        or document_class.direction not in (direction.value, "both")
        or (document_class.code in EMPLOYEE_CLASSES) != (employee is not None)
    ):
        raise ServiceError("document_class_not_allowed")
    if details.subclass_id:
        subclass = db.session.get(DocumentSubclass, details.subclass_id)
        if subclass is None or subclass.class_id != document_class.id:
            raise ServiceError("document_subclass_mismatch")
    description = (details.description or "").strip()
    if not description:
        raise ServiceError("document_description_missing")
    if len(description) > MAX_DESCRIPTION:
        raise ServiceError("document_description_too_long")
    number = (details.number or "").strip() or None
    if number and len(number) > MAX_NUMBER:
        raise ServiceError("document_number_too_long")
    return Details(document_class.id, description, details.subclass_id or None, number)


def _content(upload: Upload) -> DocumentContent:
    if len(upload.data) > max_bytes():  # before parsing: the limit names the setting
        raise ServiceError("document_too_large", mb=max_bytes() // (1024 * 1024))
    pdf_uploads.check_pdf(upload.data, max_bytes())
    content = DocumentContent(data=upload.data)
    db.session.add(content)
    return content


def _document(member_id, employee, direction, details, upload, content, actor) -> Document:
    return Document(
        member_id=member_id,
        employee_id=getattr(employee, "id", None),
        direction=direction,
        class_id=details.class_id,
        subclass_id=details.subclass_id,
        number=details.number,
        description=details.description,
        filename=display_name(upload.filename),
        content_type=PDF_TYPE,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        content=content,
        sent_at=clock.now(),
        sent_by_id=getattr(actor, "id", None),
    )


@dataclass(frozen=True)
class Sending:
    """A file the service sends, checked and stored once (its content row), with the checked
    details: what each recipient's document is made of, in the request or in a background job
    (`as_params` / `from_params`: JSON for the job)."""

    details: Details
    content_id: int
    filename: str
    size: int
    sha256: str

    def as_params(self) -> dict:
        return {**asdict(self), "details": asdict(self.details)}

    @classmethod
    def from_params(cls, params: dict) -> "Sending":
        return cls(**{**params, "details": Details(**params["details"])})


def _check_employee(member_id: int, employee: Employee | None) -> None:
    if employee is not None and employee.member_id != member_id:
        raise ServiceError("document_foreign_employee")


def deposit(
    member: Member, upload: Upload, details: Details, actor, employee: Employee | None = None
) -> Document:
    """A document the member sends to the service (for the company, or one employee)."""
    _check_employee(member.id, employee)
    details = _checked_details(details, DocumentDirection.TO_SERVICE, employee)
    document = _document(
        member.id, employee, DocumentDirection.TO_SERVICE, details, upload, _content(upload), actor
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document_deposited",
        actor=actor,
        member=member,
        target=f"document:{document.id}",
        sha256=document.sha256,
        size=document.size,
    )
    return document


def prepare_sending(upload: Upload, details: Details, employee: Employee | None = None) -> Sending:
    """Check the details and the file (the refusals of `send`) and store the content once, in
    the caller's transaction."""
    details = _checked_details(details, DocumentDirection.TO_MEMBER, employee)
    content = _content(upload)
    db.session.flush()
    return Sending(
        details,
        content.id,
        display_name(upload.filename),
        len(upload.data),
        hashlib.sha256(upload.data).hexdigest(),
    )


def send_to(
    members: list[Member], sending: Sending, actor, employee: Employee | None = None
) -> list[Document]:
    """One document of the stored file for each of `members`, and its audit entry (flushed;
    the caller commits). The one way documents are sent, whether the request writes them or a
    background job does by batches (app.services.document_sending)."""
    details, now = sending.details, clock.now()
    documents = [
        Document(
            member_id=member.id,
            employee_id=getattr(employee, "id", None),
            direction=DocumentDirection.TO_MEMBER,
            class_id=details.class_id,
            subclass_id=details.subclass_id,
            number=details.number,
            description=details.description,
            filename=sending.filename,
            content_type=PDF_TYPE,
            size=sending.size,
            sha256=sending.sha256,
            content_id=sending.content_id,
            sent_at=now,
            sent_by_id=getattr(actor, "id", None),
        )
        for member in members
    ]
    db.session.add_all(documents)
    db.session.flush()
    for member, document in zip(members, documents, strict=True):
        audit.record(
            "document_sent",
            actor=actor,
            member=member,
            target=f"document:{document.id}",
            sha256=document.sha256,
        )
    return documents


def check_recipients(members: list[Member], employee: Employee | None = None) -> None:
    """Someone to send to; a document about an employee goes to that employee's member only."""
    if not members:
        raise ServiceError("document_no_recipient")
    if employee is not None:
        if len(members) != 1:
            raise ServiceError("document_employee_one_member")
        _check_employee(members[0].id, employee)


def send(
    members: list[Member],
    upload: Upload,
    details: Details,
    actor,
    employee: Employee | None = None,
) -> list[Document]:
    """The service sends one file to each of `members` (one stored content, one document each),
    or to one employee of a single member."""
    check_recipients(members, employee)
    return send_to(members, prepare_sending(upload, details, employee), actor, employee)


def acknowledge(document: Document, actor) -> bool:
    """The service records that it received the member's document; a second click (or a
    colleague at the same time) changes nothing. True if this call acknowledged it."""
    if document.direction is not DocumentDirection.TO_SERVICE:
        raise ServiceError("document_not_received")
    done = db.session.execute(
        update(Document)
        .where(Document.id == document.id, Document.acknowledged_at.is_(None))
        .values(acknowledged_at=clock.now(), acknowledged_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(document, ["acknowledged_at", "acknowledged_by_id"])
    return done == 1


def mark_read(document: Document, user) -> None:
    """The first download by a user of the member marks the service's document as read (who,
    when); later downloads keep the first."""
    if document.direction is not DocumentDirection.TO_MEMBER or document.read_at is not None:
        return
    db.session.execute(
        update(Document)
        .where(Document.id == document.id, Document.read_at.is_(None))
        .values(read_at=clock.now(), read_by_id=user.id)
        .execution_options(synchronize_session=False)
    )


def may_withdraw(document: Document) -> bool:
    """A member's own document, not a DUERP version (kept, domain-rules.md §4), until the service
    acknowledged it."""
    return (
        document.direction is DocumentDirection.TO_SERVICE
        and document.acknowledged_at is None
        and document.document_class.code != DUERP_CLASS
    )


def withdraw(document: Document, actor) -> None:
    """Remove the member's document, with an audit entry; refused once acknowledged, even by a
    colleague's click that landed in the meantime (the delete re-checks it)."""
    if not may_withdraw(document):
        raise ServiceError("document_cannot_withdraw")
    removed = db.session.execute(
        delete(Document)
        .where(Document.id == document.id, Document.acknowledged_at.is_(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed != 1:
        raise ServiceError("document_cannot_withdraw")
    db.session.execute(delete(DocumentContent).where(DocumentContent.id == document.content_id))
    audit.record(
        "document_withdrawn",
        actor=actor,
        member=document.member,
        target=f"document:{document.id}",
        description=document.description,
        filename=document.filename,
        sha256=document.sha256,
    )
    db.session.expunge(document)


def chunks(document: Document) -> Iterator[bytes]:
    """The document's bytes (call only after the ownership check)."""
    return content_chunks(document.content_id, document.size)


def content_chunks(content_id: int, size: int) -> Iterator[bytes]:
    """Stored bytes read from the database a chunk at a time (a 20 MB file is never held whole
    in a worker's memory)."""
    for start in range(1, size + 1, CHUNK):
        yield db.session.scalar(
            select(func.substr(DocumentContent.data, start, CHUNK, type_=LargeBinary)).where(
                DocumentContent.id == content_id
            )
        )


def last_duerp_deposit(member_id: int):
    """When the member last deposited a DUERP version (None if never)."""
    return db.session.scalar(
        select(func.max(Document.sent_at))
        .join(DocumentClass, DocumentClass.id == Document.class_id)
        .where(
            Document.member_id == member_id,
            Document.direction == DocumentDirection.TO_SERVICE,
            DocumentClass.code == DUERP_CLASS,
        )
    )
