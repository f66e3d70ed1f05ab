"""Public access screens: first connection ("Première connexion ? Créer mon compte") and the
forgotten password ("Mot de passe oublié ?"). Rate limited per IP and per identifier."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from app.extensions import db
from app.models.provisioning import ProvisionalCredential
from app.security.tenancy import system_scope
from app.services import ServiceError, access, mail
from app.views.messages import MESSAGES
from app.views.portal.account_forms import (
    AdministratorForm,
    ForgotPasswordForm,
    NewPasswordForm,
    ProvisionalForm,
)

ACTIVATION_KEY = "activation_credential_id"


def access_key() -> str:
    """Rate-limit key: the member number typed, whatever the IP."""
    typed = request.form.get("identifier") or request.form.get("number") or ""
    return "access:" + typed.strip().lower()


def _ip_limit():
    return current_app.config["ACCESS_RATE_LIMIT"]


def _account_limit():
    return current_app.config["ACCESS_ACCOUNT_RATE_LIMIT"]


def _no_number_typed() -> bool:
    return request.endpoint not in {"AccessView.first_connection", "AccessView.forgot_password"}


class AccessView(BaseView):
    route_base = "/access"
    default_view = "first_connection"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # FAB applies a view's limits to its whole blueprint (and keeps one @limit per route):
        # every POST counts per IP; first connection and forgotten password also per number.
        self.limits = [
            Limit(_ip_limit, get_remote_address, methods=["POST"], cost=1),
            Limit(
                _account_limit,
                access_key,
                methods=["POST"],
                exempt_when=_no_number_typed,
                cost=1,
            ),
        ]

    def _page(self, template, **context):
        return self.render_template(template, **context)

    @expose("/first-connection", methods=["GET", "POST"])
    def first_connection(self):
        form = ProvisionalForm()
        if form.validate_on_submit():
            try:
                with system_scope():
                    credential = access.check_provisional(form.identifier.data, form.password.data)
            except ServiceError as error:
                flash(MESSAGES[error.code], "danger")
            else:
                session[ACTIVATION_KEY] = credential.id
                return redirect(url_for(".administrator"))
        return self._page("access/first_connection.html", form=form)

    @expose("/first-connection/account", methods=["GET", "POST"])
    def administrator(self):
        credential = self._pending_credential()
        form = AdministratorForm()
        if form.validate_on_submit():
            fields = {
                name: form[name].data.strip() for name in ("last_name", "first_name", "phone")
            }
            try:
                with system_scope():
                    access.activate(
                        credential,
                        username=form.username.data,
                        password=form.password.data,
                        email=form.email.data.strip(),
                        **fields,
                    )
                    db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                flash(MESSAGES[error.code], "danger")
            else:
                session.pop(ACTIVATION_KEY, None)
                flash(_("Your account is created. Log in with your new identifier."), "success")
                return redirect(self.appbuilder.get_url_for_login)
        return self._page("access/administrator.html", form=form, member=credential.member)

    def _pending_credential(self) -> ProvisionalCredential:
        with system_scope():
            credential = db.session.get(ProvisionalCredential, session.get(ACTIVATION_KEY) or 0)
            if credential is None or not credential.is_usable:
                session.pop(ACTIVATION_KEY, None)
                abort(404)
            credential.member  # noqa: B018 - loaded while the scope allows it
        return credential

    @expose("/forgot-password", methods=["GET", "POST"])
    def forgot_password(self):
        form = ForgotPasswordForm()
        if form.validate_on_submit():
            with system_scope():
                found = access.request_reset(form.number.data, form.email.data)
                if found is not None:
                    self._queue_reset_mail(*found)
                db.session.commit()
            flash(
                _(
                    "If this number and this e-mail address match a portal contact, a message "
                    "with a link to choose a new password has just been sent. The link is valid "
                    "for one hour."
                ),
                "info",
            )
            return redirect(self.appbuilder.get_url_for_login)
        return self._page("access/forgot_password.html", form=form)

    def _queue_reset_mail(self, user, token) -> None:
        # From the configured address, never from the request's Host header (reset poisoning).
        link = current_app.config["PORTAL_URL"].rstrip("/") + url_for(".reset", token=token)
        with force_locale("fr"):
            body = render_template("mail/reset_password.txt", user=user, link=link)
            message = mail.queue(user.email, _("Your member portal password"), body)
        mail.deliver_after_response([message.id])

    @expose("/reset/<string:token>", methods=["GET", "POST"])
    def reset(self, token):
        with system_scope():
            try:
                access.usable_token(token)
            except ServiceError:
                return self._page("access/invalid_link.html", message=MESSAGES["bad_token"]), 404
        form = NewPasswordForm()
        if form.validate_on_submit():
            try:
                with system_scope():
                    access.reset_password(token, form.password.data)
                    db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                flash(MESSAGES[error.code], "danger")
            else:
                flash(_("Your password is changed. Log in with it."), "success")
                return redirect(self.appbuilder.get_url_for_login)
        return self._page("access/reset_password.html", form=form)
