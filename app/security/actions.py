"""Safe FAB actions, for our views and FAB's own security views."""

from flask import abort, request
from flask_appbuilder import expose, has_access


class SafeActionsMixin:
    """FAB's actions load their rows without the view's base filters, accept GET, and fail
    with a 500 on an unknown action: these answer 404 for an unknown action or row, 403 without
    the right, and take POST only (with its CSRF token); so does delete. FAB's
    download/<filename> serves any uploaded file to whoever may list the view (and fails without
    UPLOAD_FOLDER): it is not exposed; our documents get their own owner-checked downloads."""

    exclude_route_methods = {"download"}

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
