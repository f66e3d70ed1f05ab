"""Every user's own profile ("modifier votre profil"): identifier, names, e-mail, phone, password,
and for a member's users the portal-contact flag. Also where a provisional password is changed.
A new e-mail address gets a confirmation link, and the previous one a notice (issue 8). A member's
user also chooses there which e-mail notices they get (issue 12, "Notifications")."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from app.domain.notifications import Notice
from app.extensions import db
from app.services import ServiceError, accounts, mail, notifications
from app.views.letters import portal_link
from app.views.messages import MESSAGES
from app.views.portal.account_forms import ProfileForm

PERSON_FIELDS = ("last_name", "first_name", "email", "phone")
EMAIL_PENDING = _l(
    "A confirmation link was sent to %(email)s: the new address is used once confirmed. Until "
    "then, your previous address stays in use."
)
# What a user who must change a provisional password may still open.
ALLOWED_BEFORE_CHANGE = {"ProfileView.edit", "LoginView.logout", "LocaleView.index", "static"}


class ProfileView(BaseView):
    route_base = "/profile"
    default_view = "edit"

    @expose("/", methods=["GET", "POST"])
    @login_required
    def edit(self):
        user = g.user._get_current_object()
        form = ProfileForm(obj=user if request.method == "GET" else None)
        if user.is_staff:
            del form.is_portal_contact
        if form.validate_on_submit():
            fields = {name: form[name].data.strip() for name in PERSON_FIELDS}
            if not user.is_staff:
                fields["is_portal_contact"] = form.is_portal_contact.data
            try:
                previous_email = user.email
                secret = accounts.update_profile(
                    user,
                    username=form.username.data,
                    current_password=form.current_password.data,
                    new_password=form.password.data,
                    **fields,
                )
                sent = _mail_email_change(user, previous_email, secret) if secret else None
                db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                flash(MESSAGES[error.code], "danger")
            else:
                login_user(user)  # the session follows a rotated stamp
                flash(_("Your profile is saved."), "success")
                if secret:
                    mail.deliver_after_response(*sent)
                    flash(EMAIL_PENDING % {"email": user.pending_email}, "info")
                return redirect(url_for(".edit"))
        return self.render_template(
            "portal/profile.html", form=form, user=user, notices=_notices_of(user)
        )

    @expose("/notifications", methods=["POST"])
    @login_required
    def notices(self):
        """The notices chosen: the boxes ticked are on, the others off (no password needed:
        nothing here changes who may log in)."""
        user = g.user._get_current_object()
        if user.is_staff:
            abort(403)
        ticked = set(request.form.getlist("notice"))
        notifications.set_choices(user, {notice: notice.value in ticked for notice in Notice})
        db.session.commit()
        flash(_("Your e-mail notices are saved."), "success")
        return redirect(url_for(".edit", _anchor="notices"))


def _notices_of(user) -> list[tuple[Notice, str, bool]]:
    """(notice, label, on) of each notice a member's user may receive; none for staff."""
    if user.is_staff:
        return []
    return [
        (notice, notifications.LABELS[notice], on)
        for notice, on in notifications.choices_of(user).items()
    ]


def _mail_email_change(user, previous_email: str, secret: str) -> tuple[list[int], dict]:
    """The confirmation link to the new address and a notice to the previous one."""
    link = portal_link("AccessView.confirm_email", token=secret)
    with force_locale("fr"):
        confirm = mail.queue(
            user.pending_email,
            _("Confirm your new e-mail address"),
            render_template("mail/email_change_confirm.txt", user=user, link=link),
            secret=link,
        )
        notice = mail.queue(
            previous_email,
            _("Change of your e-mail address"),
            render_template(
                "mail/email_change_notice.txt", user=user, new_email=user.pending_email
            ),
        )
    return [confirm.id, notice.id], {confirm.id: link}


def require_password_change():
    """before_request: a user with a provisional password changes it before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in ALLOWED_BEFORE_CHANGE
        and not (request.endpoint or "").endswith(".static")
    ):
        flash(_("Please choose your own password before going on."), "warning")
        return redirect(url_for("ProfileView.edit"))
    return None
