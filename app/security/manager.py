"""The portal's Flask-AppBuilder security manager: our user model, the account lock after repeated
failures, a per-account login rate limit on top of FAB's per-IP one, logout by POST, and FAB's
JSON login switched off (the portal has no API client)."""

from flask import current_app, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import (
    AuthDBView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
)
from flask_babel import lazy_gettext as _l
from flask_login import logout_user
from werkzeug.security import check_password_hash

from app import clock
from app.domain.lockout import is_locked, lock_until
from app.models.user import PortalUser
from app.security.actions import SafeActionsMixin
from app.views.labels import FORMATTERS, LABELS


class NoJsonLoginApi(SecurityApi):
    """FAB's /api/v1/security/login and /refresh, with no route: JSON login is disabled."""

    include_route_methods: set[str] = set()


def login_account_key() -> str:
    """Rate-limit key of a login attempt: the account named in the form, whatever the IP."""
    return "login-account:" + (request.form.get("username") or "").strip().lower()


class LoginView(AuthDBView):
    login_template = "login.html"
    invalid_login_message = _l(
        "Wrong identifier or password. After repeated failures the account is locked for a while."
    )

    @expose("/logout/", methods=["POST"])
    def logout(self):
        """Logout by POST only (the navbar posts a form with its CSRF token)."""
        user = self._get_authenticated_user()
        logout_user()
        if user is not None:
            user.rotate_session_stamp()  # a copy of the session cookie is worthless from now on
            self.appbuilder.sm.update_user(user)
            self.appbuilder.sm.on_user_logout(user)
        return redirect(self.appbuilder.get_url_for_login)


PORTAL_USER_COLUMNS = [
    "member",
    "phone",
    "is_portal_contact",
    "must_change_password",
    "locked_until",
]


# FAB's security views keep FAB's resource names (FAB admins only). Our class names must not
# start with "Portal" or "Backoffice": the roles grant by those prefixes.
class SecurityRoleView(SafeActionsMixin, RoleModelView):
    class_permission_name = "RoleModelView"


class SecurityGroupView(SafeActionsMixin, UserGroupModelView):
    class_permission_name = "UserGroupModelView"


class SecurityUserView(SafeActionsMixin, UserDBModelView):
    """FAB's user administration (FAB admins only), showing the portal's own columns."""

    class_permission_name = "UserDBModelView"
    label_columns = {**UserDBModelView.label_columns, **{c: LABELS[c] for c in PORTAL_USER_COLUMNS}}
    formatters_columns = FORMATTERS

    list_columns = ["username", "first_name", "last_name", "email", "member", "active", "roles"]
    search_columns = ["username", "first_name", "last_name", "email", "member", "active"]
    add_columns = UserDBModelView.add_columns + PORTAL_USER_COLUMNS
    edit_columns = UserDBModelView.edit_columns + PORTAL_USER_COLUMNS
    show_columns = ["username", "first_name", "last_name", "email", "active", "roles"]
    show_columns += PORTAL_USER_COLUMNS


class PortalSecurityManager(SecurityManager):
    user_model = PortalUser
    userdbmodelview = SecurityUserView
    rolemodelview = SecurityRoleView
    groupmodelview = SecurityGroupView
    userstatschartview = None
    authdbview = LoginView
    security_api = NoJsonLoginApi

    def create_login_manager(self, app):
        manager = super().create_login_manager(app)
        manager.login_view = "LoginView.login"  # where @login_required sends anonymous users
        return manager

    def register_views(self):
        super().register_views()
        if self.is_auth_limited:
            self.limiter.limit(
                current_app.config["AUTH_ACCOUNT_RATE_LIMIT"],
                key_func=login_account_key,
                methods=["POST"],
            )(self.auth_view.blueprint)

    def load_user(self, pk):
        """Flask-Login's user id is "<id>:<session stamp>": a rotated stamp ends the session."""
        user_id, _sep, stamp = str(pk).partition(":")
        if not user_id.isdigit():
            return None
        user = self.get_user_by_id(int(user_id))
        if user is not None and user.is_active and user.session_stamp == stamp:
            return user
        return None

    def auth_user_db(self, username, password):
        """FAB's check, refused while the account is locked (same work, same answer)."""
        user = self.find_user(username=username) if username else None
        if user is not None and is_locked(user.locked_until, clock.now()):
            check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "x")
            return None
        return super().auth_user_db(username, password)

    def on_user_login_failed(self, user) -> None:
        config = current_app.config
        until = lock_until(
            user.fail_login_count or 0,
            config["AUTH_LOCK_THRESHOLD"],
            clock.now(),
            config["AUTH_LOCK_MINUTES"],
        )
        if until is not None:
            user.locked_until = until
            user.fail_login_count = 0
            self.update_user(user)

    def on_user_login(self, user) -> None:
        if user.locked_until is not None:
            user.locked_until = None
            self.update_user(user)
