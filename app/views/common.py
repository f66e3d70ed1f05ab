"""Pieces shared by the views: a FAB ModelView with our labels and paging, and tenancy helpers."""

from flask import abort, g
from flask_appbuilder import ModelView
from flask_appbuilder.fields import EnumField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField
from wtforms.validators import DataRequired, ValidationError

from app.extensions import db
from app.security.actions import SafeActionsMixin
from app.views.labels import ENUM_LABELS, FORMATTERS, LABELS


def current_member_id() -> int:
    """The member of the logged-in member user (404 for anyone else: no member, no portal)."""
    member_id = getattr(g.user, "member_id", None)
    if member_id is None:
        abort(404)
    return member_id


def owned(model, object_id: int):
    """The row of `model` with this id if it belongs to the user's member, else 404: another
    member's id answers as an unknown one."""
    found = db.session.scalar(
        select(model).where(model.id == object_id, model.member_id == current_member_id())
    )
    if found is None:
        abort(404)
    return found


class EagerInterface(SQLAInterface):
    """FAB's interface, loading the relations a list shows with one query each: FAB loads them
    row by row, so a page's statements grew with its rows."""

    def __init__(self, obj, *relations: str, **kwargs):
        super().__init__(obj, **kwargs)
        self.relations = relations

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*(selectinload(getattr(self.obj, name)) for name in self.relations))


class FilterIsNull(BaseFilter):
    """A base filter: rows whose column is empty (e.g. members or requests without a team)."""

    name = "Is empty"
    arg_name = "null"

    def apply(self, query, value):
        return query.filter(getattr(self.model, self.column_name).is_(None))


class LabelledEnumField(EnumField):
    """FAB's enum select, with our translated labels instead of the raw values."""

    def __init__(self, enum_class, **kwargs):
        super().__init__(enum_class, list(enum_class.__members__), **kwargs)
        self.choices = [(member.name, ENUM_LABELS[member]) for member in enum_class]

    # FAB's field fails with a 500 on a name outside the enum: its coercion raises KeyError and
    # its choice check a bare ValueError, neither of which WTForms turns into a field error.
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except KeyError as error:
            raise ValueError(*error.args) from error

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValueError as error:
            raise ValidationError(*error.args) from error


def enum_field(enum_class, column: str):
    return LabelledEnumField(
        enum_class, label=LABELS[column], widget=Select2Widget(), validators=[DataRequired()]
    )


class OptionalBooleansMixin:
    def _init_forms(self):
        """FAB marks a non-nullable boolean as required, so an unticked box fails validation:
        booleans get a plain optional checkbox."""
        for kind in ("add", "edit"):
            columns = getattr(self, f"{kind}_columns") or []
            booleans = {
                name: BooleanField(self.label_columns.get(name, name))
                for name in columns
                if self.datamodel.is_boolean(name)
            }
            extra = getattr(self, f"{kind}_form_extra_fields") or {}
            setattr(self, f"{kind}_form_extra_fields", {**booleans, **extra})
        super()._init_forms()


class BaseModelView(OptionalBooleansMixin, SafeActionsMixin, ModelView):
    label_columns = LABELS
    formatters_columns = FORMATTERS
    page_size = 25


# A member's data as shown to staff and to the member (staff also see and set the status).
MEMBER_COLUMNS = [
    "number",
    "name",
    "siret",
    "naf_code",
    "address",
    "postal_code",
    "city",
    "phone",
    "email",
    "is_temp_agency",
    "joined_on",
    "centre",
    "health_team",
]
READ_ONLY_ROUTES = {"download", "add", "edit", "delete", "action", "action_post"}


class TenantModelView(BaseModelView):
    """A portal view over a tenant-owned model: filtered on the user's member (on top of the
    session guard), the member column never in forms and always set from the session."""

    base_filters = [["member_id", FilterEqualFunction, current_member_id]]

    def pre_add(self, item):
        item.member_id = current_member_id()

    def pre_update(self, item):
        item.member_id = current_member_id()
