"""The portal's Flask-AppBuilder security manager: our user model, login by identifier only (e-mail
addresses are not unique) with the same work whether or not the account exists, the account lock
after repeated failures, a per-account login rate limit on top of FAB's per-IP one, logout by POST,
FAB's JSON login switched off (the portal has no API client), and FAB's own password screens
replaced by the portal's password service (issue 8)."""

from datetime import timedelta

from flask import (
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.utils import is_null_password
from flask_appbuilder.security.views import (
    AuthDBView,
    ResetMyPasswordView,
    ResetPasswordView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from app import clock, permissions
from app.domain.lockout import is_locked
from app.domain.passwords import check_password
from app.extensions import db
from app.models.user import PortalUser
from app.security.access_cache import CachedAccessMixin
from app.security.actions import SafeActionsMixin
from app.security.role_labels import RoleChoicesMixin, roles_text
from app.security.tenancy import system_scope
from app.services import accounts
from app.views.common import EagerInterface, OptionalBooleansMixin
from app.views.labels import FORMATTERS, LABELS, moment, text_or_blank
from app.views.messages import MESSAGES
from app.views.portal.duerp import remember_new_login


class NoJsonLoginApi(SecurityApi):
    """FAB's /api/v1/security/login and /refresh, with no route: JSON login is disabled."""

    include_route_methods: set[str] = set()


def login_account_key() -> str:
    """Rate-limit key of a login attempt: the account named in the form, whatever the IP."""
    return "login-account:" + (request.form.get("username") or "").strip().lower()


WRONG_LOGIN = _l(
    "Wrong identifier or password. After repeated failures the account is locked for a while."
)
PROVISIONAL_HINT = _l(
    "The provisional identifier and password of the first-connection letter are used once, "
    "under «First connection? Create my account» below, not in this form."
)


LOGGED_OUT = _l("You are logged out.")
LOG_IN_AGAIN = _l("You are logged out. Log in to open this page.")


def _reword_access_denied() -> None:
    """FAB sends an anonymous visitor of a protected page (Back after logout, an expired session)
    here with "Access is Denied": to someone who is not logged in, say that instead."""
    denied = str(FLAMSG_ERR_SEC_ACCESS_DENIED)
    flashes = session.get("_flashes") or []
    if any(message == denied for _category, message in flashes):
        session["_flashes"] = [
            ("info", str(LOG_IN_AGAIN)) if message == denied else (category, message)
            for category, message in flashes
        ]


class LoginView(AuthDBView):
    login_template = "login.html"

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        anonymous = g.user is None or not g.user.is_authenticated
        if anonymous:
            _reword_access_denied()
        response = super().login()
        if anonymous and current_user.is_authenticated:  # a new login: the DUERP question
            remember_new_login(current_user)
        return response

    @property
    def invalid_login_message(self):
        """A member number typed as identifier (identifiers may not be one) is most likely the
        letter's provisional identifier: say where it goes. Nothing is looked up."""
        if not has_request_context():  # FAB reads its views' attributes at registration
            return WRONG_LOGIN
        typed = (request.form.get("username") or "").strip()
        return f"{WRONG_LOGIN} {PROVISIONAL_HINT}" if typed.isdigit() else str(WRONG_LOGIN)

    @expose("/logout/", methods=["POST"])
    def logout(self):
        """Logout by POST only (the navbar posts a form with its CSRF token)."""
        user = self._get_authenticated_user()
        logout_user()
        if user is not None:
            user.rotate_session_stamp()  # a copy of the session cookie is worthless from now on
            self.appbuilder.sm.update_user(user)
            self.appbuilder.sm.on_user_logout(user)
        flash(str(LOGGED_OUT), "info")
        return redirect(self.appbuilder.get_url_for_login)


PORTAL_USER_COLUMNS = [
    "member",
    "phone",
    "is_portal_contact",
    "must_change_password",
    "locked_until",
]


USERS = _l("Users")


def count_or_zero(value) -> int:
    return value or 0


# FAB's audit columns of a user (who and when created or changed, logins), without "None".
AUDIT_FORMATTERS = {
    "created_by": text_or_blank,
    "changed_by": text_or_blank,
    "created_on": moment,
    "changed_on": moment,
    "login_count": count_or_zero,
    "fail_login_count": count_or_zero,
}

# FAB's help texts speak of OpenID and LDAP, which the portal does not use.
USER_HELP = {
    "username": _l("The identifier typed to log in; it may not be a member number."),
    "password": _l("At least 12 characters, not a common password."),
    "active": _l("Untick to block the account without deleting it."),
    "email": _l("The address that receives the links to choose a new password."),
    "roles": _l(
        "What the account may do: service staff or administrator for the service; for a "
        "member's users, the portal administrator or user role and the rights granted."
    ),
    "groups": _l("Groups of roles: not used by the portal, leave empty."),
}


# FAB's security views keep FAB's resource names (FAB admins only). Our class names must not
# start with "Portal" or "Backoffice": the roles grant by those prefixes.
class SecurityRoleView(SafeActionsMixin, RoleModelView):
    class_permission_name = "RoleModelView"
    label_columns = {**RoleModelView.label_columns, "user": USERS}


class SecurityGroupView(RoleChoicesMixin, SafeActionsMixin, UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    label_columns = {c: LABELS[c] for c in ("name", "label", "description", "roles")}
    label_columns["users"] = USERS
    formatters_columns = {"roles": roles_text, "users": text_or_blank}


class NoRoutesResetPasswordView(ResetPasswordView):
    """FAB's /resetpassword/form set any password with no policy, audit or session end: gone."""

    include_route_methods: set[str] = set()


class NoRoutesResetMyPasswordView(ResetMyPasswordView):
    """FAB's /resetmypassword/form skipped the current password: the profile does it instead."""

    include_route_methods: set[str] = set()


class SecurityUserView(RoleChoicesMixin, OptionalBooleansMixin, SafeActionsMixin, UserDBModelView):
    """FAB's user administration (FAB admins only), showing the portal's own columns; its password
    actions go through the portal's password service."""

    class_permission_name = "UserDBModelView"
    label_columns = {**UserDBModelView.label_columns, **{c: LABELS[c] for c in PORTAL_USER_COLUMNS}}
    formatters_columns = {**FORMATTERS, **AUDIT_FORMATTERS, "roles": roles_text}
    description_columns = {**UserDBModelView.description_columns, **USER_HELP}

    list_columns = ["username", "first_name", "last_name", "email", "member", "active", "roles"]
    search_columns = ["username", "first_name", "last_name", "email", "member", "active"]
    add_columns = UserDBModelView.add_columns + PORTAL_USER_COLUMNS
    edit_columns = UserDBModelView.edit_columns + PORTAL_USER_COLUMNS
    show_columns = ["username", "first_name", "last_name", "email", "active", "roles"]
    show_columns += PORTAL_USER_COLUMNS

    def pre_add(self, item):
        """The password policy applies to accounts made here too (FAB's form only hashes)."""
        error = check_password(item.password or "", (item.username, item.email, item.last_name))
        if error:
            raise ValueError(str(MESSAGES[f"password_{error.value}"]))
        super().pre_add(item)

    @action("resetpasswords", _l("Reset password"), "", "fa-lock", multiple=False)
    def resetpasswords(self, item):
        """A provisional password shown once, to change at the next login (other sessions end,
        outstanding links are revoked, the audit log says who did it)."""
        password = accounts.issue_provisional_password(item, actor=g.user)
        db.session.commit()
        return self.render_template(
            "portal/users/password.html", user=item, password=password, back=url_for(".list")
        )

    @action("resetmypassword", _l("Change my password"), "", "fa-lock", multiple=False)
    def resetmypassword(self, item):
        return redirect(url_for("ProfileView.edit"))


class PortalSecurityManager(CachedAccessMixin, SecurityManager):
    user_model = PortalUser
    userdbmodelview = SecurityUserView
    rolemodelview = SecurityRoleView
    groupmodelview = SecurityGroupView
    userstatschartview = None
    authdbview = LoginView
    security_api = NoJsonLoginApi
    resetpasswordview = NoRoutesResetPasswordView
    resetmypasswordview = NoRoutesResetMyPasswordView

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        # FAB's security lists load each row's relations one by one (statements grew with rows).
        self.userdbmodelview.datamodel = EagerInterface(self.user_model, "member", "roles")
        self.rolemodelview.datamodel = EagerInterface(self.role_model, "permissions")

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

    @staticmethod
    def _serves(user, resource: str) -> bool:
        """Whether `resource` may serve `user` at all: the portal's resources only serve a
        member's users, whatever the roles (the administrator's role grants everything)."""
        return not permissions.for_members_only(resource) or (
            getattr(user, "member_id", None) is not None
        )

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """Every access check (routes, `has_access` in templates) goes through here."""
        if not self._serves(user, view_name):
            return False
        return super()._has_view_access(user, permission_name, view_name)

    def _get_user_permission_view_menus(self, user, permission_name: str, view_menus_name):
        """The menu entries and categories shown (FAB's Menu.get_data asks for them all at once,
        "menu_access"): the portal's for a member's users only."""
        found = super()._get_user_permission_view_menus(user, permission_name, view_menus_name)
        return {name for name in found if self._serves(user, name)}

    def load_user(self, pk):
        """Flask-Login's user id is "<id>:<session stamp>": a rotated stamp ends the session.
        Loaded before the request's tenancy scope is known, hence the system scope."""
        user_id, _sep, stamp = str(pk).partition(":")
        if not user_id.isdigit() or len(user_id) > 18:
            return None
        with system_scope():
            user = self._user_for_request(int(user_id))
        if user is not None and user.is_active and user.session_stamp == stamp:
            return user
        return None

    def _user_for_request(self, user_id: int) -> PortalUser | None:
        """The user with what every page reads of it (its roles and groups for the permission
        checks, its member), in one statement instead of one per relation."""
        return (
            db.session.scalars(
                select(PortalUser)
                .where(PortalUser.id == user_id)
                .options(
                    joinedload(PortalUser.roles),
                    joinedload(PortalUser.groups).joinedload(self.group_model.roles),
                    joinedload(PortalUser.member),
                )
            )
            .unique()
            .one_or_none()
        )

    def auth_user_db(self, username, password):
        """The login check, by identifier only, doing the same work whatever the outcome: one
        lookup, one password hash (the decoy when the account is unknown, inactive or locked),
        then on failure one counted write and a commit."""
        if not username or is_null_password(password):
            return None
        now = clock.now()
        with system_scope():
            user = self.find_user(username=username)
            usable = user is not None and user.is_active and not is_locked(user.locked_until, now)
            hashed = user.password if usable and user.password else accounts.fake_hash()
            if check_password_hash(hashed, password) and usable:
                user.locked_until = None
                self.update_user_auth_stat(user, True)
                return user
            self._count_failure(user if usable else None, now)
        return None

    def _count_failure(self, user: PortalUser | None, now) -> None:
        """The account's failure count, and its lock at the threshold, in one UPDATE computed
        from the row itself (failures at the same moment all count; reading the count first lost
        them). For no account, the same UPDATE rewrites the first account's row as it is (FAB's
        decoy write)."""
        config = current_app.config
        if user is None:
            target = select(func.min(PortalUser.id)).scalar_subquery()
            values = {"fail_login_count": PortalUser.fail_login_count}
        else:
            target = user.id
            until = now + timedelta(minutes=config["AUTH_LOCK_MINUTES"])
            values = _failure_counted(config["AUTH_LOCK_THRESHOLD"], until)
        db.session.execute(
            update(PortalUser).where(PortalUser.id == target).values(**values),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()


def _failure_counted(threshold: int, until) -> dict:
    """app.domain.lockout.lock_until in SQL, on the row's own count: one more failure, and at
    the threshold the lock until `until` with the count back to 0. (A successful login clears
    the lock and the count.)"""
    failures = func.coalesce(PortalUser.fail_login_count, 0) + 1
    if threshold <= 0:  # the lock is off
        return {"fail_login_count": failures}
    reached = failures >= threshold
    return {
        "fail_login_count": case((reached, 0), else_=failures),
        # A lock set by a failure of the same moment stays.
        "locked_until": case((reached, until), else_=PortalUser.locked_until),
    }
