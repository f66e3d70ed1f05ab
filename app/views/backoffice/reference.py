"""Back-office: reference data (risks and their dated categories, exam types, document classes,
PCS-ESE codes, postal codes), loaded by `flask load-reference-data` and editable by staff."""

from flask import flash, g, url_for
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import inspect
from wtforms import SelectField
from wtforms.validators import DataRequired

from app import clock
from app.domain.follow_up import FollowUp
from app.models.reference import DocumentClass, DocumentSubclass, ExamType, PcsCode, PostalCode
from app.models.risk import Risk, RiskCategory
from app.services import jobs
from app.views.common import BaseModelView, EagerInterface, enum_field
from app.views.labels import FORMATTERS, LABELS


class RecomputeAfterChange:
    """A change of a risk's category periods moves the risk's holders between categories: a
    background job recomputes them (and their due dates) while the staff member goes on; its
    page shows the progress, then the outcome (issue 13). Edits of a risk's label or
    declarable dates do not, so they do not pay for it."""

    def pre_update(self, item):
        # The risk the period belonged to before the edit: its holders move too.
        g.recompute_risks = {*inspect(item).attrs.risk_id.history.deleted, item.risk_id}

    def _recompute(self, item):
        risk_ids = sorted(g.pop("recompute_risks", None) or {item.risk_id})
        job_id = jobs.start(
            "recompute_categories",
            requested_by_id=g.user.id,
            day=clock.today().isoformat(),
            risk_ids=risk_ids,
        )
        link = url_for("BackofficeJobView.show", job_id=job_id) if job_id else None
        text = _("Follow-up categories are being recomputed for the holders of this risk.")
        if link:
            follow = _("Follow the recomputation")
            text = Markup('{} <a href="{}">{}</a>').format(text, link, follow)
        flash(text, "info")

    post_add = post_update = post_delete = _recompute


class BackofficeRiskCategoryView(RecomputeAfterChange, BaseModelView):
    datamodel = EagerInterface(RiskCategory, "risk")
    class_permission_name = "BackofficeRiskCategories"
    list_title = show_title = _l("Risk categories by period")
    add_title = _l("Add a category period")
    edit_title = _l("Edit a category period")
    list_columns = ["risk", "category", "valid_from", "valid_until"]
    search_columns = ["category", "valid_from", "valid_until"]
    add_columns = edit_columns = show_columns = list_columns
    add_form_extra_fields = edit_form_extra_fields = {"category": enum_field(FollowUp, "category")}


class BackofficeRiskView(BaseModelView):  # labels and dates: categories live in the periods
    datamodel = SQLAInterface(Risk)
    class_permission_name = "BackofficeRisks"
    list_title = show_title = _l("Declarable risks")
    add_title = _l("Add a risk")
    edit_title = _l("Edit a risk")
    related_views = [BackofficeRiskCategoryView]
    list_columns = ["code", "label", "declarable_from", "declarable_until"]
    search_columns = ["code", "label", "declarable_from", "declarable_until"]
    base_order = ("code", "asc")
    add_columns = edit_columns = show_columns = [*list_columns, "note"]


class BackofficeExamTypeView(BaseModelView):
    datamodel = SQLAInterface(ExamType)
    class_permission_name = "BackofficeExamTypes"
    list_title = show_title = _l("Exam types")
    add_title = _l("Add an exam type")
    edit_title = _l("Edit an exam type")
    list_columns = ["code", "label", "performed_by"]
    search_columns = ["code", "label", "performed_by"]
    add_columns = edit_columns = show_columns = [*list_columns, "note"]


class BackofficeDocumentSubclassView(BaseModelView):
    datamodel = EagerInterface(DocumentSubclass, "document_class")
    class_permission_name = "BackofficeDocumentSubclasses"
    list_title = show_title = _l("Document subclasses")
    add_title = _l("Add a document subclass")
    edit_title = _l("Edit a document subclass")
    list_columns = ["document_class", "label"]
    search_columns = ["label"]
    add_columns = edit_columns = show_columns = list_columns


# Which way documents of a class travel (DocumentClass.direction), as staff read it.
DIRECTIONS = {
    "member_to_service": _l("From the member to the service"),
    "service_to_member": _l("From the service to the member"),
    "both": _l("Both ways"),
}


def direction_label(value):
    return DIRECTIONS.get(value, value or "")


def direction_field():
    return SelectField(
        LABELS["direction"],
        choices=list(DIRECTIONS.items()),
        validators=[DataRequired()],
        widget=Select2Widget(),
    )


class BackofficeDocumentClassView(BaseModelView):
    datamodel = SQLAInterface(DocumentClass)
    class_permission_name = "BackofficeDocumentClasses"
    list_title = show_title = _l("Document classes")
    add_title = _l("Add a document class")
    edit_title = _l("Edit a document class")
    related_views = [BackofficeDocumentSubclassView]
    list_columns = ["code", "label", "direction"]
    search_columns = ["code", "label", "direction"]
    add_columns = edit_columns = show_columns = list_columns
    formatters_columns = {**FORMATTERS, "direction": direction_label}
    add_form_extra_fields = {"direction": direction_field()}
    edit_form_extra_fields = {"direction": direction_field()}


class BackofficePcsCodeView(BaseModelView):
    datamodel = SQLAInterface(PcsCode)
    class_permission_name = "BackofficePcsCodes"
    list_title = show_title = _l("PCS-ESE 2017 codes")
    add_title = _l("Add a PCS code")
    edit_title = _l("Edit a PCS code")
    list_columns = ["code", "label", "cs_label"]
    search_columns = ["code", "label", "cs_code", "cs_label", "gs_label"]
    base_order = ("code", "asc")
    add_columns = edit_columns = show_columns = [
        "code",
        "label",
        "cs_code",
        "cs_label",
        "gs_code",
        "gs_label",
    ]


class BackofficePostalCodeView(BaseModelView):
    datamodel = SQLAInterface(PostalCode)
    class_permission_name = "BackofficePostalCodes"
    list_title = show_title = _l("Postal codes")
    add_title = _l("Add a postal code")
    edit_title = _l("Edit a postal code")
    list_columns = ["postal_code", "commune", "insee_code", "delivery_label"]
    search_columns = list_columns
    base_order = ("postal_code", "asc")
    add_columns = edit_columns = show_columns = list_columns
