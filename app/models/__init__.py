"""All models, imported here so that Alembic and FAB see every table."""

from app.models.account import EmailChangeToken, OutboxMail, PasswordResetToken
from app.models.audit import AuditEntry
from app.models.billing import (
    Campaign,
    CampaignMailing,
    Declaration,
    DeclarationEmployee,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentMeans,
)
from app.models.centre import Centre, HealthProfessional, HealthTeam, ProfessionalRole
from app.models.contact import (
    ContactKind,
    ContactMessage,
    ContactReply,
    ContactType,
    MessageStatus,
)
from app.models.document import Document, DocumentContent, DocumentDirection, DuerpAnswer
from app.models.employee import (
    Contract,
    Employee,
    EmployeeRisk,
    Language,
    RiskDeclarationChange,
    Sex,
    WorkPost,
)
from app.models.employee_import import EmployeeImport, EmployeeImportRow
from app.models.job import Job, JobStatus
from app.models.member import Contact, Establishment, Member, MemberStatus
from app.models.notification import NotificationPreference, NotificationSent
from app.models.provisioning import ProvisionalCredential
from app.models.reference import DocumentClass, DocumentSubclass, ExamType, PcsCode, PostalCode
from app.models.risk import Risk, RiskCategory
from app.models.user import PortalUser
from app.models.visit import Conclusion, Visit, VisitEvent, VisitOutcome, VisitRequest

__all__ = [
    "EmployeeImport",
    "EmployeeImportRow",
    "Job",
    "JobStatus",
    "AuditEntry",
    "Campaign",
    "CampaignMailing",
    "Declaration",
    "DeclarationEmployee",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "Payment",
    "PaymentMeans",
    "Centre",
    "Contact",
    "ContactKind",
    "ContactMessage",
    "ContactReply",
    "ContactType",
    "MessageStatus",
    "NotificationPreference",
    "NotificationSent",
    "Contract",
    "Employee",
    "EmployeeRisk",
    "Language",
    "RiskDeclarationChange",
    "Sex",
    "WorkPost",
    "DocumentClass",
    "Document",
    "DocumentContent",
    "DocumentDirection",
    "DuerpAnswer",
    "DocumentSubclass",
    "EmailChangeToken",
    "Establishment",
    "ExamType",
    "HealthProfessional",
    "HealthTeam",
    "Member",
    "MemberStatus",
    "OutboxMail",
    "PasswordResetToken",
    "PcsCode",
    "PortalUser",
    "Conclusion",
    "Visit",
    "VisitEvent",
    "VisitOutcome",
    "VisitRequest",
    "PostalCode",
    "ProfessionalRole",
    "ProvisionalCredential",
    "Risk",
    "RiskCategory",
]
