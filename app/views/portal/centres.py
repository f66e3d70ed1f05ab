"""Portal: "Nos centres médicaux" (manual, pages 652-783; issue 12): the service's sites by
sector, with their address (a link to the device's map application: a geo: URI, no embedded
third-party map), phone (a tel: link) and note, the mobile centre, and first the member's own
centre and health team. Resource PortalCentres, open to every member user (role Member)."""

from urllib.parse import quote

from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from app import permissions
from app.extensions import db
from app.services import centres
from app.views.common import current_member_id


def geo_uri(centre) -> str | None:
    """geo:0,0?q=<address>: the phone's map application searches the address (RFC 5870 and
    Android's query form); None for a centre without an address."""
    query = centres.map_query(centre)
    return f"geo:0,0?q={quote(query, safe='')}" if query else None


class PortalCentresView(BaseView):
    route_base = "/centres"
    default_view = "directory"
    class_permission_name = permissions.PORTAL_CENTRES
    base_permissions = ["can_list"]

    @expose("/")
    @has_access
    @permission_name("list")
    def directory(self):
        found = centres.directory(db.session, current_member_id())
        return self.render_template(
            "centres/directory.html",
            directory=found,
            geo_uri=geo_uri,
            map_query=centres.map_query,
            phone_uri=centres.phone_uri,
        )
