"""Names of resources, roles and grantable portal rights, shared by views, seeding and tests.

Every role is a Flask-AppBuilder built-in role (`FAB_ROLES`): its grants are regular expressions
over view (resource) names and permission names, evaluated at request time, so a new view falls
under the right role by its name alone and nothing has to be synchronised into the database but
the role rows themselves (`flask setup`). FAB matches with `re.match`, so every pattern below is
anchored at its end too.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# Roles of the service
ROLE_ADMIN = "Admin"  # FAB administrator: everything, including FAB's security views
ROLE_STAFF = "Staff"  # service staff: the back-office, not FAB's security views
ROLE_PUBLIC = "Public"
# Roles of a member's users
ROLE_MEMBER = "Member"  # every member user: home, company page (read), own profile
ROLE_MEMBER_ADMIN = "MemberAdmin"  # administrator of the member's portal: all portal resources

# Resources (views' class_permission_name). Back-office names start with "Backoffice", portal
# names with "Portal": the role patterns rely on these prefixes.
BACKOFFICE_PREFIX = "Backoffice"
PORTAL_PREFIX = "Portal"

# Resources of the service's administrators only (Admin's pattern covers them, Staff's does not).
ADMIN_OUTBOX = "AdminOutbox"


def for_members_only(resource: str) -> bool:
    """The portal's screens (and menu entries) serve a member's users only: the service's staff
    and administrators, who belong to no member, neither get them in their menu nor open them
    (issue 9: the administrator's portal entries led to 404)."""
    return resource.startswith(PORTAL_PREFIX)


PORTAL_HOME = "PortalHome"
PORTAL_COMPANY = "PortalCompany"
PORTAL_ESTABLISHMENTS = "PortalEstablishments"
PORTAL_CONTACTS = "PortalContacts"
PORTAL_CENTRES = "PortalCentres"  # "Nos centres médicaux": every member user
PORTAL_MESSAGES = "PortalMessages"  # "Contactez-nous": every member user writes and reads own


@dataclass(frozen=True)
class PortalRight:
    """A right the member administrator may grant to a collaborator (a role of its own)."""

    role: str
    label: str
    resources: tuple[str, ...]
    permissions: str  # regex over permission names


READ = r"(can_list|can_show|can_get|can_info|can_download|can_export[a-z_]*|menu_access)"
ANY = r".*"

PORTAL_RIGHTS: tuple[PortalRight, ...] = (
    PortalRight(
        "right.employees.read", _l("Employees (read)"), ("PortalEmployees", "PortalWorkPosts"), READ
    ),
    PortalRight(
        "right.employees.write",
        _l("Employees (full rights)"),
        ("PortalEmployees", "PortalWorkPosts"),
        ANY,
    ),
    PortalRight("right.visits", _l("Medical visit requests"), ("PortalVisitRequests",), ANY),
    PortalRight("right.documents", _l("Documents"), ("PortalDocuments",), ANY),
    PortalRight("right.invoices", _l("Invoices"), ("PortalInvoices",), READ),
    PortalRight("right.declaration", _l("Workforce declaration"), ("PortalDeclaration",), ANY),
    PortalRight("right.reports", _l("Reports"), ("PortalReports",), READ),
)
PORTAL_RIGHT_ROLES = frozenset(right.role for right in PORTAL_RIGHTS)
MEMBER_ROLES = frozenset({ROLE_MEMBER, ROLE_MEMBER_ADMIN}) | PORTAL_RIGHT_ROLES


def _exact(name: str) -> str:
    return re.escape(name) + "$"


def _any_of(names) -> str:
    return "(" + "|".join(re.escape(name) for name in names) + ")$"


def fab_roles() -> dict[str, list[list[str]]]:
    """The FAB_ROLES setting: role name -> [[resource regex, permission regex], ...]."""
    roles = {
        ROLE_ADMIN: [[ANY, ANY]],
        ROLE_STAFF: [[BACKOFFICE_PREFIX + ANY, ANY]],
        ROLE_PUBLIC: [],
        ROLE_MEMBER: [
            [
                _any_of(
                    [
                        PORTAL_HOME,
                        PORTAL_COMPANY,
                        PORTAL_ESTABLISHMENTS,
                        PORTAL_CONTACTS,
                        PORTAL_CENTRES,
                    ]
                ),
                READ + "$",
            ],
            [_exact(PORTAL_MESSAGES), ANY],
        ],
        ROLE_MEMBER_ADMIN: [[PORTAL_PREFIX + ANY, ANY]],
    }
    for right in PORTAL_RIGHTS:
        roles[right.role] = [[_any_of(right.resources), right.permissions + "$"]]
    return roles
