"""Safe FAB actions and arguments, for our views and FAB's own security views."""

from flask import abort, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.hooks import before_request

from app.domain.inputs import parse_id
from app.views import params
from app.views.model_fields import model_form_fields


class SafeActionsMixin:
    """FAB's actions load their rows without the view's base filters, accept GET, and fail
    with a 500 on an unknown action: these answer 404 for an unknown action or row, 403 without
    the right, and take POST only (with its CSRF token); so does delete. FAB's
    download/<filename> serves any uploaded file to whoever may list the view (and fails without
    UPLOAD_FOLDER): it is not exposed; our documents get their own owner-checked downloads."""

    exclude_route_methods = {"download"}

    @before_request
    def check_arguments(self):
        """Before any route of the view: a `<pk>` that names no possible row is a 404 (FAB's
        user view reads it without `_deserialize_pk_if_composite`), and FAB's list arguments
        (page, page size, sort, filters), which it parses with `int()` and hands to SQL on most
        routes, are a 400 when FAB would fail on them."""
        if "pk" in (request.view_args or {}):
            self._deserialize_pk_if_composite(request.view_args["pk"])
        params.check_fab_list_args(self)

    def _deserialize_pk_if_composite(self, pk):
        """FAB's routes take `<pk>` as a string: an integer key must be an id in range, anything
        else names no row (404), where FAB would send it to SQL (OverflowError beyond 64 bits)."""
        datamodel = self.datamodel
        if datamodel.is_pk_composite() or not datamodel.is_integer(datamodel.get_pk_name()):
            return super()._deserialize_pk_if_composite(pk)
        found = parse_id(str(pk))
        if found is None:
            abort(404)
        return found

    def _init_forms(self):
        """FAB's generated forms take our fields (app.views.validators.model_form_fields):
        French dates `jj/mm/aaaa` bounded like those of our own forms, checked e-mails and
        phones, and an address's postal code and town against La Poste's list. A view's own
        extra fields win."""
        labels = self.label_columns or {}
        for kind in ("add", "edit", "search"):
            columns = getattr(self, f"{kind}_columns") or []
            ours = model_form_fields(self.datamodel, columns, labels, search=kind == "search")
            extra = getattr(self, f"{kind}_form_extra_fields") or {}
            setattr(self, f"{kind}_form_extra_fields", {**ours, **extra})
        super()._init_forms()

    @expose("/delete/<pk>", methods=["POST"])
    @has_access
    def delete(self, pk):
        """FAB's delete without its GET variant (which only redirects when CSRF is on)."""
        self._delete(self._deserialize_pk_if_composite(pk))
        return self.post_delete_redirect()

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        items = self._action_items(name, [pk])
        return self.actions[name].func(items[0])

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        items = self._action_items(name, request.form.getlist("rowid"))
        return self.actions[name].func(items)

    def _action_items(self, name: str, pks: list) -> list:
        if name not in self.actions:
            abort(404)
        permission = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission, self.class_permission_name):
            abort(403)
        items = [
            self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
            for pk in pks
        ]
        if not items or None in items:
            abort(404)
        return items
