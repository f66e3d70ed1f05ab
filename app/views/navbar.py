"""The navigation bar's menu, rendered once per kind of visitor (issue 13, "Throughput": the menu
built once). FAB renders its menu template at every page, asking for each of its forty entries
whether the visitor may see it; the HTML depends only on the visitor's rights (the security
manager's `menu_key`), the language and where the application is mounted, so it is kept per
such key in the process. A visitor whose rights cannot be keyed (a role kept in the database) gets
the menu rendered for the page, as before."""

from flask import current_app, request
from flask_babel import get_locale
from markupsafe import Markup

TEMPLATE = "appbuilder/navbar_menu.html"
MAX_KEPT = 256  # kinds of visitors x languages: a few dozen in practice
_STORE = "portal.navbar_menus"


def navbar_menu() -> Markup:
    appbuilder = current_app.appbuilder
    access = appbuilder.sm.menu_key()
    if access is None:
        return _render(appbuilder)
    key = (access, str(get_locale()), request.script_root)
    kept = current_app.extensions.setdefault(_STORE, {})
    html = kept.get(key)
    if html is None:
        if len(kept) >= MAX_KEPT:
            kept.clear()
        html = kept[key] = _render(appbuilder)
    return html


def _render(appbuilder) -> Markup:
    template = current_app.jinja_env.get_template(TEMPLATE)
    return Markup(template.render(menu=appbuilder.menu))
