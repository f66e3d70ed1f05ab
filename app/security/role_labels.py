"""The roles as people read them: FAB shows a role by its name (`right.employees.read`,
`MemberAdmin`), which is a code for the permission patterns (app/permissions.py), not a word."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import permissions

LABELS = {
    permissions.ROLE_ADMIN: _l("Service administrator"),
    permissions.ROLE_STAFF: _l("Service staff"),
    permissions.ROLE_PUBLIC: _l("Visitor (not logged in)"),
    permissions.ROLE_MEMBER: _l("Member's user"),
    permissions.ROLE_MEMBER_ADMIN: _l("Member's portal administrator"),
}
RIGHTS = {right.role: right.label for right in permissions.PORTAL_RIGHTS}


def role_label(role) -> str:
    """The French name of a role (or of a role's name); an unknown role keeps its name."""
    name = getattr(role, "name", role)
    if name in RIGHTS:
        return _("Right: %(right)s", right=RIGHTS[name])
    return str(LABELS.get(name, name))


def roles_text(roles) -> str:
    """A user's roles in a list or a record: their labels, comma separated."""
    return ", ".join(sorted(role_label(role) for role in roles or []))


class RoleChoicesMixin:
    """FAB forms offer roles by their labels, not by their names (`right.visits`)."""

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            if hasattr(form, "roles"):
                form.roles.kwargs["get_label"] = role_label
