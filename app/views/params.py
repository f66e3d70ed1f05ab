"""Request arguments through one bounded parser (issue 8, item 9: "no 500 on bad input").

The bounds themselves are app.domain.inputs; this module applies them to HTTP:
- `<int:...>` path arguments: a bounded converter replaces werkzeug's, so an id beyond MAX_ID
  (or beyond 64 bits, which the drivers cannot even send) matches no route: 404;
- query and form ids: `id_arg` (404: no such row) and `id_list` (400: a forged form);
- control characters, in every argument, form field and file name of every request, portal and
  back-office, ours and Flask-AppBuilder's alike: one `before_request` refuses them with a 400
  page. A form-level filter would have to be added to every form, FAB's generated ones included,
  and would miss query arguments; here nothing reaches a view, a query or a stored row. Line
  breaks and tabs are allowed only in the fields the forms render as text areas;
- Flask-AppBuilder's list arguments (`page_*`, `psize_*`, `_oc_*`, `_flt_*`), which FAB parses
  with `int()` and passes to SQL unchecked: `check_fab_list_args`, run before every route of every
  ModelView (app.security.actions.SafeActionsMixin), answers 400 for what FAB would choke on.
"""

import re

from dateutil import parser as date_parser
from flask import abort, current_app, request
from flask_appbuilder.models.filters import FilterRelation
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from wtforms import Form, TextAreaField
from wtforms.fields.core import UnboundField

from app.domain.inputs import (
    MAX_ID,
    has_control_characters,
    is_plausible,
    parse_id,
    parse_ids,
    parse_int,
)

MAX_PAGE_SIZE = 100  # FAB's list offers 25 to 100 rows a page
MAX_PAGE = MAX_ID // MAX_PAGE_SIZE
CONTROL_MESSAGE = _l(
    "The text typed contains invisible control characters (often brought by a copy and paste): "
    "remove them and try again."
)
LIST_MESSAGE = _l("The page, sort or filter given in the address is not valid.")
FORM_MESSAGE = _l("The form sent is not valid. Please reload the page and try again.")
# FAB's own patterns (flask_appbuilder/urltools.py), searched anywhere in the argument's name.
_PAGE = re.compile("page_(.*)")
_PAGE_SIZE = re.compile("psize_(.*)")
_ORDER = re.compile("_oc_(.*)")
_FILTER = re.compile(r"_flt_(\d)_(.*)")


class BadArgument(BadRequest):
    """A 400 whose page tells the user what was wrong (app.errors shows `message`)."""

    def __init__(self, message):
        super().__init__()
        self.message = message


def _at_most(limit: int) -> str:
    """A regular expression of the decimal numbers from 0 to `limit` (ASCII digits)."""
    digits = str(limit)
    shorter = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    smaller_here = [
        f"{digits[:index]}[0-{int(digit) - 1}][0-9]{{{len(digits) - index - 1}}}"
        for index, digit in enumerate(digits)
        if digit != "0"
    ]
    return "0*(?:" + "|".join([*shorter, *smaller_here, digits]) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>`: werkzeug's converter, limited to the ids a row can have. The bound is in the
    regular expression, not only in `max`: werkzeug checks the method before converting, so a
    number refused by `max` on a path that another method serves would be a 405, not a 404."""

    regex = _at_most(MAX_ID)


def init_app(app) -> None:
    """Before any route is added (the converter is bound when a rule is)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_control_characters)


def id_arg(name: str) -> int:
    """A query-string id that must name a row: 404 for anything else."""
    found = parse_id(request.args.get(name))
    if found is None:
        abort(404)
    return found


def id_list(name: str) -> set[int]:
    """The ids of a repeated form field (ticked checkboxes): 400 for anything not an id."""
    found = parse_ids(request.form.getlist(name))
    if found is None:
        raise BadArgument(FORM_MESSAGE)
    return found


# --- control characters ------------------------------------------------------------------------


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def multi_line_fields() -> frozenset[str]:
    """The names of the fields that any form of the application renders as a text area (ours and
    the ones FAB generates for Text columns), computed once the views are registered."""
    names = current_app.extensions.get("multi_line_fields")
    if names is None:
        names = frozenset(
            name
            for form in _subclasses(Form)
            for name, field in vars(form).items()
            if isinstance(field, UnboundField) and issubclass(field.field_class, TextAreaField)
        )
        current_app.extensions["multi_line_fields"] = names
    return names


def _texts():
    """(text, multi-line?) for every name and value the request carries."""
    multi_line = multi_line_fields()
    for name, values in request.args.lists():
        yield name, False
        yield from ((value, False) for value in values)
    for name, values in request.form.lists():
        yield name, False
        yield from ((value, name in multi_line) for value in values)
    for name, upload in request.files.items(multi=True):
        yield name, False
        yield upload.filename or "", False
    yield from ((value, False) for value in (request.view_args or {}).values())


def refuse_control_characters() -> None:
    """before_request: a 400 page when any text of the request holds a control character."""
    for text, multi_line in _texts():
        if isinstance(text, str) and has_control_characters(text, multi_line):
            raise BadArgument(CONTROL_MESSAGE)


# --- Flask-AppBuilder's list arguments ---------------------------------------------------------


def check_fab_list_args(view) -> None:
    """400 for a FAB list argument that FAB would turn into a 500: a page or page size that is
    not a bounded number, a sort on a column that cannot be sorted, a filter with an unknown index
    or a value its column cannot hold. Anything FAB ignores is left alone."""
    for name in request.args:
        value = request.args.get(name, "")
        if _PAGE.search(name) and not _bounded(value, 0, MAX_PAGE):
            raise BadArgument(LIST_MESSAGE)
        if _PAGE_SIZE.search(name) and not _bounded(value, 1, MAX_PAGE_SIZE):
            raise BadArgument(LIST_MESSAGE)
        if (match := _ORDER.search(name)) and not _sortable(view, match.group(1), value):
            raise BadArgument(LIST_MESSAGE)
        if (match := _FILTER.search(name)) and not _filterable(view, *match.groups(), name):
            raise BadArgument(LIST_MESSAGE)


def _bounded(value: str, low: int, high: int) -> bool:
    return parse_int(value, low, high) is not None


def _sortable(view, view_name: str, column: str) -> bool:
    if request.args.get(f"_od_{view_name}") not in ("asc", "desc"):
        return True  # FAB ignores a sort without its direction
    views = [view, *(getattr(view, "_related_views", None) or [])]
    named = [one for one in views if type(one).__name__ == view_name]
    return not named or column in (named[0].order_columns or [])


def _filterable(view, index: str, column: str, name: str) -> bool:
    filters = view._filters._all_filters.get(column)
    if filters is None:
        return True  # FAB ignores a filter on a column it does not know
    if int(index) >= len(filters):
        return False
    flt = filters[int(index)]
    return all(_filter_value_ok(view.datamodel, flt, value) for value in request.args.getlist(name))


def _filter_value_ok(datamodel, flt, value: str) -> bool:
    column = flt.column_name
    if isinstance(flt, FilterRelation):
        return parse_id(value) is not None
    if datamodel.is_enum(column):
        return value in datamodel.list_columns[column].type.enums
    if datamodel.is_boolean(column):
        return value in ("", "y", "n")
    if datamodel.is_integer(column):
        return _bounded(value, -MAX_ID - 1, MAX_ID)
    if datamodel.is_date(column) or datamodel.is_datetime(column):
        return _plausible_date_text(value)
    return True


def _plausible_date_text(value: str) -> bool:
    try:
        return is_plausible(date_parser.parse(value).date())
    except (ValueError, OverflowError):
        return False


def pager(page: int, size: int, total: int) -> dict:
    """What a paged list shows around its rows: the rows' range ("1 - 25 of 80") and the number
    of pages (at least one), for the template context."""
    return {
        "total": total,
        "first": (page - 1) * size + 1 if total else 0,
        "last": min(page * size, total),
        "pages": max((total + size - 1) // size, 1),
    }
