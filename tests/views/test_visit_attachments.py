"""Visit request attachments (issue 8, "Files"): a file is a PDF only if a real PDF parser reads
its structure in strict mode (at least one page, readable without a password), whatever its
magic bytes; polyglots (HTML, HTA or SVG between `%PDF-` and `%%EOF`) are refused and leave no
row, file or mail; a stored file is always downloaded as `demande-<id>.pdf`, an attachment of
type application/pdf that is neither sniffed nor stored by the browser, and the uploaded name is
only shown, escaped."""

import io

import pytest
from pypdf import PdfWriter

from app.extensions import db
from app.models.visit import VisitRequest
from app.services import ServiceError, visits
from app.views.messages import MESSAGES
from tests.views.test_employees import PO_FILE, _catalogue, alerts
from tests.views.test_visits import (
    STAFF,
    count,
    outbox_mails,
    pdf_file,
    request_visit,
    requests_for,
    stored_contents,
)
from tests.views.test_visits import setting as setting  # noqa: F401 - fixture

SCRIPT = b"<script>alert(document.domain)</script>"
POLYGLOTS = {
    "x.html": b"%PDF-1.4\n<html><body>" + SCRIPT + b"</body></html>\n%%EOF\n",
    "x.hta": b'%PDF-1.7\n<hta:application id="x" />' + SCRIPT + b"\n%%EOF",
    "x.svg": b'%PDF-1.5\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    + SCRIPT
    + b"</svg>\n%%EOF\n",
    "x.pdf.lnk": b"%PDF-1.4\r\n<html>" + SCRIPT + b"</html>\r\n%%EOF\r\n",
    # A real PDF with a page of HTML spliced in after its header: the markers and every object
    # are there, the cross-reference offsets no longer match (non-strict parsers repair that).
    "spliced.pdf": pdf_file().replace(b"\n", b"\n%<html>" + SCRIPT + b"</html>\n", 1),
    # A real PDF followed by HTML and a second end marker.
    "appended.pdf": pdf_file() + b"<html>" + SCRIPT + b"</html>\n%%EOF\n",
}


def wording(msgid) -> str:
    """What the user reads: the French of the msgid once merged into the catalogue; before the
    lead merges .tr/files-prod.po (tests/test_translations.py says so), the msgid itself."""
    msgid = msgid._args[0] if hasattr(msgid, "_args") else msgid
    entry = _catalogue(PO_FILE).get(msgid)
    return " ".join((entry.string if entry is not None and entry.string else msgid).split())


def encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password, "owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def no_page_pdf() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def _refused(app, member, setting, filename: str, content: bytes) -> list[str]:
    files_before = stored_contents(app)
    rows_before = count(app, VisitRequest)
    response = request_visit(
        member, setting.employee.id, setting.exams["VIP_PER"], "", (filename, content)
    )
    assert response.status_code == 200
    assert requests_for(app, setting.employee.id) == []
    assert count(app, VisitRequest) == rows_before
    assert stored_contents(app) == files_before
    assert outbox_mails(app) == []
    return alerts(response.text)


@pytest.mark.parametrize("filename", sorted(POLYGLOTS))
def test_polyglot_is_refused_and_leaves_nothing(app, member, setting, filename):
    content = POLYGLOTS[filename]
    assert content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]

    shown = _refused(app, member, setting, filename, content)

    assert wording(MESSAGES["attachment_unreadable"]) in shown, shown


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (encrypted_pdf("user-secret"), "attachment_encrypted"),
        (no_page_pdf(), "attachment_unreadable"),
        (b"MZ\x90\x00 not even the magic bytes", "attachment_not_pdf"),
    ],
    ids=["password-protected", "no-page", "no-magic-bytes"],
)
def test_unreadable_pdf_is_refused_and_leaves_nothing(app, member, setting, content, code):
    shown = _refused(app, member, setting, "scan.pdf", content)

    assert wording(MESSAGES[code]) in shown, shown


def test_check_pdf_accepts_real_pdfs_only():
    for content in (pdf_file(), encrypted_pdf("")):  # owner-only protection opens without one
        visits.check_pdf(visits.Attachment("ok.pdf", content))
    for filename, content in POLYGLOTS.items():
        with pytest.raises(ServiceError) as refused:
            visits.check_pdf(visits.Attachment(filename, content))
        assert refused.value.code == "attachment_unreadable", filename


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("C:\\fakepath\\lettre.pdf", "lettre.pdf"),
        ("../../etc/lettre.pdf", "lettre.pdf"),
        ("lettre\x00\u202egnp.pdf", "lettregnp.pdf"),
        ("", "document.pdf"),
        (None, "document.pdf"),
        ("é" * 300 + ".pdf", "é" * 200),
    ],
)
def test_uploaded_name_is_kept_only_as_a_clean_label(uploaded, shown):
    assert visits.display_name(uploaded) == shown


def test_real_pdf_is_accepted_and_served_as_demande_id(app, member, staff, setting):
    pdf = pdf_file()
    uploaded = "<img src=x onerror=alert(1)>.html"
    response = request_visit(
        member, setting.employee.id, setting.exams["VIP_PER"], "", (uploaded, pdf)
    )
    assert response.status_code == 302, alerts(response.text)
    (row,) = requests_for(app, setting.employee.id)
    assert row.attachment_name == uploaded
    assert row.attachment_content_id in stored_contents(app)

    download = staff.get(f"{STAFF}/attachment/{row.id}")

    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Disposition"] == f'attachment; filename="demande-{row.id}.pdf"'
    assert download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "ETag" not in download.headers
    # The uploaded name is shown to staff as text, never as markup.
    page = staff.get(f"{STAFF}/show/{row.id}").text
    assert "&lt;img src=x onerror=alert(1)&gt;.html" in page
    assert "<img src=x" not in page


def test_stored_name_is_never_the_served_name_even_for_old_rows(app, member, staff, setting):
    response = request_visit(
        member, setting.employee.id, setting.exams["VIP_PER"], "", ("a.pdf", pdf_file())
    )
    assert response.status_code == 302
    (row,) = requests_for(app, setting.employee.id)
    with app.app_context():  # a row saved before the fix, under a dangerous name
        db.session.get(VisitRequest, row.id).attachment_name = "x.hta"
        db.session.commit()

    download = staff.get(f"{STAFF}/attachment/{row.id}")

    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="demande-{row.id}.pdf"'
