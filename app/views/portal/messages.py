"""Portal: "Mes messages" (issue 12, "Contactez-nous"): the messages a user may read (the
member's administrator all of the member's, anyone else their own: app.services.contact_list),
one message with its attachment and its thread, and the user's reply. Resource PortalMessages
(every member user); replies are rate limited per user with the messages sent."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app import permissions
from app.extensions import db
from app.models.contact import MessageStatus
from app.services import ServiceError, contact, contact_list, mail
from app.services.employee_list import PAGE_SIZES
from app.views import downloads
from app.views.messages import MESSAGES
from app.views.params import pager
from app.views.portal.contact import contact_limits

STATUS_LABELS = {
    MessageStatus.NEW: _l("New"),
    MessageStatus.IN_PROGRESS: _l("In progress"),
    MessageStatus.DONE: _l("Dealt with"),
}


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your reply"))


class PortalMessagesView(BaseView):
    route_base = "/messages"
    default_view = "list"
    class_permission_name = permissions.PORTAL_MESSAGES
    base_permissions = ["can_list", "can_show", "can_add", "can_download"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.limits = contact_limits()

    @staticmethod
    def _message(message_id: int):
        """The message if the user may read it, else 404 (another member's, a colleague's)."""
        found = contact_list.visible_message(g.user, message_id)
        if found is None:
            abort(404)
        return found

    @expose("/")
    @has_access
    @permission_name("list")
    def list(self):
        params = contact_list.params_of(request.args)
        rows, total = contact_list.page(db.session, g.user, params)
        return self.render_template(
            "contact/list.html",
            rows=rows,
            params=params,
            **pager(params.page, params.size, total),
            page_sizes=PAGE_SIZES,
            status_labels=STATUS_LABELS,
        )

    def _show(self, message, form: ReplyForm, status: int = 200):
        page = self.render_template(
            "contact/show.html", message=message, form=form, status_labels=STATUS_LABELS
        )
        return page, status

    @expose("/<int:message_id>")
    @has_access
    @permission_name("show")
    def show(self, message_id):
        return self._show(self._message(message_id), ReplyForm())

    @expose("/<int:message_id>/reply", methods=["POST"])
    @has_access
    @permission_name("add")
    def reply(self, message_id):
        message = self._message(message_id)
        form = ReplyForm()
        if not form.validate_on_submit():
            return self._show(message, form, 400)
        try:
            mails = contact.add_member_reply(message, g.user, form.reply.data or "")
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
            return self._show(self._message(message_id), form, 400)
        mail.deliver_after_response(mails)
        flash(_("Your reply has been sent to the service."), "success")
        return redirect(url_for(".show", message_id=message_id, _anchor="thread"))

    @expose("/<int:message_id>/attachment")
    @has_access
    @permission_name("download")
    def attachment(self, message_id):
        message = self._message(message_id)
        if message.attachment_content_id is None:
            abort(404)
        return downloads.stored_file(
            message.attachment_content_id, message.attachment_size, f"message-{message.id}.pdf"
        )
