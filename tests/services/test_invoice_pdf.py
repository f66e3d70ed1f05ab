"""The invoice's Factur-X PDF (issue 11): the visible page re-read with pypdf (member number,
invoice number, total in French format, the payment text), the embedded CII XML valid against the
Factur-X EN 16931 XSD (and its schematron when Saxon is installed) and carrying what a buyer's
software matches on; the PDF stored once and never rendered again."""

import io
import shutil
import subprocess
import threading
from decimal import Decimal
from pathlib import Path

import facturx
import pypdf
from lxml import etree
from sqlalchemy import func, select

from app.domain import billing
from app.extensions import db
from app.models.billing import Invoice, InvoiceKind
from app.models.document import DocumentContent
from app.models.member import Member
from app.models.user import PortalUser
from app.services import invoice_pdf, invoices

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SAXON_JARS = ("/usr/share/java/Saxon-HE.jar", "/usr/share/java/saxonhe.jar")


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _invoice(number: str) -> Invoice:
    return db.session.scalar(select(Invoice).where(Invoice.number == number))


def _this_year_invoice_of_10250() -> Invoice:
    return db.session.scalar(
        select(Invoice)
        .where(Invoice.member_number == "10250", Invoice.kind == InvoiceKind.INVOICE)
        .order_by(Invoice.issued_on.desc())
        .limit(1)
    )


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ")


def _xml(pdf: bytes):
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert filename == "factur-x.xml"
    return xml, etree.fromstring(xml)


def _one(tree, path: str) -> str:
    values = tree.xpath(path, namespaces=NS)
    assert len(values) == 1, path
    value = values[0]
    return value if isinstance(value, str) else value.text


def test_the_pdf_reads_back_with_member_number_invoice_number_and_total(app):
    with app.app_context():
        invoice = _this_year_invoice_of_10250()
        text = _text(invoice_pdf.render(invoice))
        total = billing.french_amount(invoice.total).replace("\u00a0", " ")
        number = invoice.number

    assert f"FACTURE N° {number}" in text
    assert "N° d'adhérent : 10250" in text
    assert "BOULANGERIE DEMO" in text
    assert f"Total TTC\n {total}" in text or f"Total TTC {total}" in text
    assert total.endswith(",00 €") and " " in total  # "3 300,00 €"
    assert "Le règlement des factures s'effectue par virement ou par chèque." in text
    assert "mentionner votre numéro d'adhérent et votre numéro de facture" in " ".join(text.split())
    assert "FR76 3000 6000 0112 3456 7890 189" in text and "AGRIFRPPXXX" in text
    assert "Exonération de TVA, article 261-7-1° du CGI" in text
    assert "SIRET 78045612500019" in text


def test_the_embedded_xml_is_valid_en16931_with_the_identifiers(app):
    with app.app_context():
        invoice = _this_year_invoice_of_10250()
        pdf = invoice_pdf.render(invoice)
        number, total = invoice.number, invoice.total
        issued, due = invoice.issued_on, invoice.due_on
    xml, tree = _xml(pdf)

    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert facturx.get_level(tree, "factur-x") == "en16931"
    header = "//rsm:SupplyChainTradeTransaction/"
    seller = header + "ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
    buyer = header + "ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/"
    settlement = header + "ram:ApplicableHeaderTradeSettlement/"
    assert _one(tree, "//rsm:ExchangedDocument/ram:ID") == number
    assert _one(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert _one(tree, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == (
        f"{issued:%Y%m%d}"
    )
    assert _one(tree, header + "ram:ApplicableHeaderTradeAgreement/ram:BuyerReference") == "10250"
    assert _one(tree, buyer + "ram:ID") == "10250"  # BT-46
    assert _one(tree, seller + "ram:SpecifiedLegalOrganization/ram:ID") == "780456125"
    assert _one(tree, seller + "ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert _one(tree, seller + "ram:GlobalID[@schemeID='0009']") == "78045612500019"
    assert _one(tree, seller + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == (
        "FR41780456125"
    )
    assert _one(tree, seller + "ram:PostalTradeAddress/ram:PostcodeCode") == "80001"
    tax = settlement + "ram:ApplicableTradeTax/"
    assert _one(tree, tax + "ram:CategoryCode") == "E"
    assert _one(tree, tax + "ram:ExemptionReason").startswith("Exonération de TVA")
    means = settlement + "ram:SpecifiedTradeSettlementPaymentMeans/"
    assert _one(tree, means + "ram:TypeCode") == "30"
    assert _one(tree, means + "ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == (
        "FR7630006000011234567890189"
    )
    assert "10250" in _one(tree, settlement + "ram:PaymentReference")
    assert (
        _one(
            tree,
            settlement + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
        )
        == f"{due:%Y%m%d}"
    )
    sums = settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    assert Decimal(_one(tree, sums + "ram:GrandTotalAmount")) == total
    assert Decimal(_one(tree, sums + "ram:DuePayableAmount")) == total


def _credit_note_and_taxed_invoice(app):
    """A credit note of the demo's no-show invoice, and a hand-made invoice with 20 % VAT."""
    with app.app_context():
        staff = db.session.scalar(select(PortalUser).where(PortalUser.username == "gestion"))
        no_show = db.session.scalar(
            select(Invoice).where(Invoice.note.like("Absence non excusée%"))
        )
        note = invoices.credit(no_show, staff, "Absence justifiée")
        taxed = invoices.issue(
            _member("10251"),
            [
                billing.Line(
                    "Formation gestes et postures", Decimal("2.5"), Decimal("80.10"), Decimal(20)
                ),  # fmt: skip
                billing.Line("Frais de dossier", Decimal(1), Decimal("15.00"), Decimal(0)),
            ],
            actor=staff,
        )
        db.session.commit()
        return note.id, no_show.number, taxed.id


def test_a_credit_note_is_381_and_names_the_invoice_it_cancels(app):
    note_id, cancelled, _ = _credit_note_and_taxed_invoice(app)
    with app.app_context():
        note = db.session.get(Invoice, note_id)
        pdf = invoice_pdf.render(note)
        name = invoice_pdf.download_name(note)
        number = note.number
    text = _text(pdf)
    xml, tree = _xml(pdf)

    assert name == f"avoir-{number}.pdf"
    assert f"AVOIR N° {number}" in text
    assert f"Annule la facture N° {cancelled}" in text
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert _one(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert _one(tree, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == cancelled


def test_a_taxed_line_is_category_s_with_its_vat_breakdown(app):
    _, _, taxed_id = _credit_note_and_taxed_invoice(app)
    with app.app_context():
        invoice = db.session.get(Invoice, taxed_id)
        pdf = invoice_pdf.render(invoice)
        assert invoice_pdf.download_name(invoice) == f"facture-{invoice.number}.pdf"
    text = _text(pdf)
    xml, tree = _xml(pdf)

    # 2.5 x 80.10 = 200.25 at 20 % (40.05) + 15.00 exempt = 255.30
    assert "200,25 €" in text and "40,05 €" in text and "255,30 €" in text
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    taxes = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS
    )
    breakdown = {
        t.findtext("ram:CategoryCode", namespaces=NS): (
            t.findtext("ram:BasisAmount", namespaces=NS),
            t.findtext("ram:CalculatedAmount", namespaces=NS),
        )
        for t in taxes
    }
    assert breakdown == {"S": ("200.25", "40.05"), "E": ("15.00", "0.00")}


def _saxon() -> str | None:
    return next((jar for jar in SAXON_JARS if Path(jar).exists()), None)


def test_the_xml_passes_the_en16931_schematron(app, tmp_path):
    """The business rules (BR-*) of EN 16931, with the library's XSLT run by a local Saxon
    (Debian's libsaxonhe-java, installed by .ci/run; Java comes with the machine): an invoice, a
    credit note and a taxed invoice."""
    assert _saxon() and shutil.which("java"), "install Java and Debian's libsaxonhe-java"
    note_id, _, taxed_id = _credit_note_and_taxed_invoice(app)
    rules = Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931"
    with app.app_context():
        ids = [_this_year_invoice_of_10250().id, note_id, taxed_id]
        xmls = [invoice_pdf.cii_xml(db.session.get(Invoice, i)) for i in ids]
    for name in ("FACTUR-X_EN16931.xslt", "FACTUR-X_EN16931_codedb.xml"):
        shutil.copy(rules / name, tmp_path / name)  # the XSLT reads the codedb beside it
    for n, xml in enumerate(xmls):
        source, target = tmp_path / f"invoice-{n}.xml", tmp_path / f"report-{n}.xml"
        source.write_bytes(xml)
        subprocess.run(
            ["java", "-cp", _saxon(), "net.sf.saxon.Transform", f"-s:{source}",
             f"-xsl:{tmp_path / 'FACTUR-X_EN16931.xslt'}", f"-o:{target}"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        report = etree.parse(str(target))
        failed = report.xpath(
            "//svrl:failed-assert[not(@flag='warning')]/svrl:text/text()",
            namespaces={"svrl": "http://purl.oclc.org/dsdl/svrl"},
        )
        assert failed == [], failed


def test_the_pdf_is_stored_at_the_first_download_and_served_unchanged(app):
    with app.app_context():
        invoice = _this_year_invoice_of_10250()
        contents = db.session.scalar(select(func.count(DocumentContent.id)))
        first = invoice_pdf.pdf_of(invoice)
        db.session.commit()
        app.config["SERVICE_IBAN"] = "FR7610107001011234567890129"  # settings change later
        second = invoice_pdf.pdf_of(invoice)

        assert first == second
        assert invoice.pdf_content_id is not None
        assert db.session.scalar(select(func.count(DocumentContent.id))) == contents + 1


def test_two_first_downloads_at_once_keep_one_content(app):
    with app.app_context():
        invoice_id = _this_year_invoice_of_10250().id
        contents = db.session.scalar(select(func.count(DocumentContent.id)))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def download():
        with app.app_context():
            try:
                invoice = db.session.get(Invoice, invoice_id)
                barrier.wait()
                results.append(invoice_pdf.pdf_of(invoice))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    with app.app_context():
        stored = db.session.get(Invoice, invoice_id).pdf_content_id
        assert db.session.scalar(select(func.count(DocumentContent.id))) == contents + 1
        data = db.session.scalar(select(DocumentContent.data).where(DocumentContent.id == stored))
    assert data == results[0]
