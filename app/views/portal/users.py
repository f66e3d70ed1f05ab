"""Portal: the company's user accounts ("profils", "créer un compte utilisateur", "droits"), for
the member administrator (resource PortalUsers: only the MemberAdmin role reaches it)."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import permissions
from app.extensions import db
from app.models.user import PortalUser
from app.services import ServiceError, collaborators
from app.views.common import current_member_id
from app.views.messages import MESSAGES
from app.views.portal.account_forms import CollaboratorForm

TOGGLES = {
    "active": collaborators.set_active,
    "contact": collaborators.set_portal_contact,
    "employees": collaborators.set_employees_admin,
}
# What a toggle did, said with the person's name: (flag, new value) -> message.
TOGGLED = {
    ("active", True): _l("%(name)s's account is active: they can log in."),
    ("active", False): _l("%(name)s's account is deactivated: they can no longer log in."),
    ("contact", True): _l("%(name)s is now a portal contact of the company."),
    ("contact", False): _l("%(name)s is no longer a portal contact of the company."),
    ("employees", True): _l("%(name)s now has full rights on the employees (Employees admin)."),
    ("employees", False): _l(
        "%(name)s no longer has full rights on the employees (Employees admin)."
    ),
}


def _person(user: PortalUser) -> str:
    full_name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return f"{full_name} ({user.username})" if full_name else user.username


class PortalUsersView(BaseView):
    route_base = "/company-users"
    default_view = "list"
    class_permission_name = "PortalUsers"
    base_permissions = ["can_list", "can_add", "can_edit", "can_delete"]

    def _user(self, user_id: int) -> PortalUser:
        user = db.session.scalar(
            select(PortalUser).where(
                PortalUser.id == user_id, PortalUser.member_id == current_member_id()
            )
        )
        if user is None:
            abort(404)
        return user

    def _run(self, call, *args, **kwargs):
        """Run a service call as the current administrator and commit; (ok, result)."""
        try:
            result = call(g.user._get_current_object(), *args, **kwargs)
            db.session.commit()
            return True, result
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
            return False, None

    @expose("/")
    @has_access
    def list(self):
        users = collaborators.company_users(current_member_id())
        return self.render_template(
            "portal/users/list.html",
            users=users,
            rights=collaborators.rights_of,
            write_right="right.employees.write",
        )

    @expose("/new", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def new(self):
        form = CollaboratorForm()
        if form.validate_on_submit():
            fields = {n: form[n].data.strip() for n in ("username", "last_name", "first_name")}
            fields |= {"email": form.email.data.strip(), "phone": form.phone.data.strip()}
            ok, created = self._run(collaborators.create_collaborator, **fields)
            if ok:
                user, password = created
                return self.render_template(
                    "portal/users/password.html", user=user, password=password
                )
        return self.render_template("portal/users/new.html", form=form)

    @expose("/<int:user_id>/reset", methods=["POST"])
    @has_access
    @permission_name("edit")
    def reset(self, user_id):
        user = self._user(user_id)
        ok, password = self._run(collaborators.reset_password, user)
        if not ok:
            return redirect(url_for(".list"))
        return self.render_template("portal/users/password.html", user=user, password=password)

    @expose("/<int:user_id>/toggle/<string:flag>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def toggle(self, user_id, flag):
        if flag not in TOGGLES:
            abort(404)
        user = self._user(user_id)
        value = request.form.get("value") == "1"
        if self._run(TOGGLES[flag], user, value)[0]:
            flash(str(TOGGLED[flag, value]) % {"name": _person(user)}, "success")
        # Back to the same row of the list (the profiles page is one page: no paging to keep).
        return redirect(url_for(".list", _anchor=f"user-{user.id}"))

    @expose("/<int:user_id>/rights", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def rights(self, user_id):
        user = self._user(user_id)
        if request.method == "POST":
            wanted = set(request.form.getlist("rights"))
            if not wanted <= collaborators.GRANTABLE:
                abort(400)  # a forged right: refused, nothing saved
            ok, _result = self._run(collaborators.set_rights, user, wanted)
            if ok:
                flash(_("Rights saved."), "success")
            return redirect(url_for(".list", _anchor=f"user-{user.id}"))
        return self.render_template(
            "portal/users/rights.html",
            user=user,
            held=collaborators.rights_of(user),
            catalogue=permissions.PORTAL_RIGHTS,
            admin_role=permissions.ROLE_MEMBER_ADMIN,
        )

    @expose("/<int:user_id>/delete", methods=["POST"])
    @has_access
    @permission_name("delete")
    def delete(self, user_id):
        user = self._user(user_id)
        if self._run(collaborators.delete_account, user)[0]:
            flash(_("Account deleted."), "success")
        return redirect(url_for(".list"))
