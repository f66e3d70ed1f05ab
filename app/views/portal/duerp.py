"""Portal: the DUERP question at login (issue 10; manual, "Déposer votre DUERP"; rule in
app.domain.duerp). At each new login through the login form, a member's user who holds the
documents right sees this screen before the home page, unless the rule says not to ask; the answer
is kept for the service (app.services.duerp), and "Oui" with "ajouter maintenant" opens the
document form with the DUERP class preset. Resource PortalDocuments."""

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField

from app.extensions import db
from app.services import ServiceError, duerp
from app.views.date_fields import french_date_field
from app.views.messages import MESSAGES

RESOURCE = "PortalDocuments"
NEW_LOGIN = "duerp_new_login"  # session key: the id of the user who just logged in
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
ANSWER_MISSING = _l("Answer «Yes» or «No».")
# The service's error codes, shown on the field they concern.
FIELD_OF_ERROR = {
    "duerp_date_missing": "updated_on",
    "duerp_date_future": "updated_on",
    "duerp_action_plan_missing": "has_action_plan",
}


def remember_new_login(user) -> None:
    """Called by the login form once a user logged in: the next home page may ask."""
    session[NEW_LOGIN] = user.id


def ask_now(security_manager, user) -> bool:
    """Whether the home page shows the DUERP question first: once per login (the mark is taken
    here), to a member's user with the documents right, when the rule says to ask."""
    if session.pop(NEW_LOGIN, None) != user.id or user.member_id is None:
        return False
    if not current_app.config["DUERP_ASK_AT_LOGIN"]:
        return False
    if not security_manager.has_access("can_add", RESOURCE):
        return False
    return duerp.should_ask(user.member_id)


def _page(view, form):
    return view.render_template("duerp/ask.html", form=form, title=_("DUERP"))


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class DuerpForm(FlaskForm):
    has_duerp = RadioField(
        _l("Have you drawn up your DUERP?"), choices=YES_NO, validate_choice=False
    )
    updated_on = french_date_field(_l("Date of the last update"))
    has_action_plan = RadioField(
        _l("Does your DUERP contain a prevention action plan?"),
        choices=YES_NO,
        validate_choice=False,
    )
    add_now = RadioField(
        _l("Do you want to add your DUERP now?"), choices=YES_NO, validate_choice=False
    )


class PortalDuerpView(BaseView):
    route_base = "/duerp"
    default_view = "ask"
    class_permission_name = RESOURCE
    base_permissions = ["can_add"]

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def ask(self):
        form = DuerpForm()
        if request.method == "POST":
            if "later" in request.form:
                return self._record(None, _("We will ask you again at your next login."))
            has_duerp = _yes_no(form.has_duerp.data)
            if has_duerp is False:
                return self._record(False, _("Your answer is recorded."))
            if has_duerp is None:
                form.has_duerp.errors = [ANSWER_MISSING]
            elif form.validate():
                return self._record_yes(form)
        return _page(self, form)

    def _record(self, has_duerp: bool | None, message: str):
        duerp.record_answer(g.user.member, g.user, has_duerp)
        db.session.commit()
        flash(message, "info")
        return redirect(url_for("HomeView.index"))

    def _record_yes(self, form: DuerpForm):
        try:
            duerp.record_answer(
                g.user.member,
                g.user,
                True,
                form.updated_on.data,
                _yes_no(form.has_action_plan.data),
            )
        except ServiceError as error:
            db.session.rollback()
            form[FIELD_OF_ERROR[error.code]].errors = [MESSAGES[error.code]]
            return _page(self, form)
        db.session.commit()
        if _yes_no(form.add_now.data):
            flash(_("Your answer is recorded. Choose your DUERP's PDF file."), "info")
            return redirect(url_for("PortalDocumentsView.new", duerp=1))
        flash(_("Your answer is recorded. You can deposit your DUERP from «Documents»."), "info")
        return redirect(url_for("HomeView.index"))
