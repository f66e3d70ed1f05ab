"""Public access screens: first connection ("Première connexion ? Créer mon compte"), the
forgotten password ("Mot de passe oublié ?") and the confirmation of a new e-mail address.
Rate limited per IP and per identifier."""

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from app.extensions import db
from app.models.account import EmailChangeToken
from app.models.provisioning import ProvisionalCredential
from app.security.tenancy import system_scope
from app.services import ServiceError, access, accounts, mail, tokens
from app.views.letters import portal_link
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

    def _invalid_link(self):
        return self._page("access/invalid_link.html", message=MESSAGES["bad_token"]), 404

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
        if credential is None:
            return self._step_gone()
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

    def _pending_credential(self) -> ProvisionalCredential | None:
        with system_scope():
            credential = db.session.get(ProvisionalCredential, session.get(ACTIVATION_KEY) or 0)
            if credential is None or not credential.is_usable:
                session.pop(ACTIVATION_KEY, None)
                return None
            credential.member  # noqa: B018 - loaded while the scope allows it
        return credential

    def _step_gone(self):
        """The account step without a checked letter: after the account was created (Back), or
        typed directly. Say where to go instead of a 404."""
        if g.user is not None and g.user.is_authenticated:
            return redirect(url_for("HomeView.index"))
        flash(
            _(
                "This step is over: the account is already created, or the first connection "
                "was not started. Log in with your identifier, or start the first connection "
                "again."
            ),
            "info",
        )
        return redirect(self.appbuilder.get_url_for_login)

    @expose("/forgot-password", methods=["GET", "POST"])
    def forgot_password(self):
        form = ForgotPasswordForm()
        if form.validate_on_submit():
            number, email = form.number.data, form.email.data
            mail.run_after_response(lambda: send_reset_link(number, email))
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

    @expose("/reset/<string:token>", methods=["GET", "POST"])
    def reset(self, token):
        with system_scope():
            try:
                access.usable_token(token)
            except ServiceError:
                return self._invalid_link()
        form = NewPasswordForm()
        if form.validate_on_submit():
            try:
                with system_scope():
                    access.reset_password(token, form.password.data)
                    db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                if error.code == "bad_token":  # spent meanwhile by a concurrent request
                    return self._invalid_link()
                flash(MESSAGES[error.code], "danger")
            else:
                flash(_("Your password is changed. Log in with it."), "success")
                return redirect(self.appbuilder.get_url_for_login)
        return self._page("access/reset_password.html", form=form)

    @expose("/confirm-email/<string:token>", methods=["GET", "POST"])
    def confirm_email(self, token):
        """The link sent to a new address: GET shows a button (mail scanners open links), POST
        makes it the account's address."""
        with system_scope():
            try:
                pending = tokens.usable(EmailChangeToken, token)
                if request.method == "POST":
                    accounts.confirm_email_change(token)
                    db.session.commit()
            except ServiceError:
                db.session.rollback()
                return self._invalid_link()
        if request.method == "POST":
            flash(_("Your new e-mail address is confirmed."), "success")
            return redirect(url_for("HomeView.index"))
        return self._page("access/confirm_email.html", email=pending.new_email)


def send_reset_link(number: str, email: str) -> None:
    """After the response: the matching portal contact, if any, gets a reset link. The link is
    built here and kept out of the outbox's copy."""
    found = access.request_reset(number, email)
    if found is None:
        return
    user, secret = found
    link = portal_link("AccessView.reset", token=secret)
    with force_locale("fr"):
        body = render_template("mail/reset_password.txt", user=user, link=link)
        message = mail.queue(user.email, _("Your member portal password"), body, secret=link)
    db.session.commit()
    mail.deliver([message.id], {message.id: link})
