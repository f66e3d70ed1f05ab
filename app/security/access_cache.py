"""Permission checks without waste (issue 13, "Throughput": permission checks cached per request).

A page asks `has_access` once per menu entry, section and footer link (thirty times or more).
FAB answers each by matching every pattern of every built-in role, and for a visitor who is not
logged in by reading the public role and its permissions from the database twice per question
(20 to 32 statements per anonymous page). Here:

- a built-in role's answer is kept for the life of the process: built-in roles are the
  `FAB_ROLES` setting (app.permissions.fab_roles), read at start-up and never changed at run time;
- each question's answer is kept for the rest of the request, for the user who asked (a login or
  a logout in the request asks again);
- what lives in the database (the public role, its permissions, the permissions of a role that is
  not built in) is read at most once per request and kept in that request only, so that a right
  granted or withdrawn takes effect at the next request. The rights a member's administrator
  grants are role memberships of the user, loaded with the user at each request: they are never
  cached across requests.
"""

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import select

_CACHE_KEY = "portal.access_cache"


def request_cache() -> dict | None:
    """This request's cache (None outside a request: CLI, jobs, start-up)."""
    if not has_request_context():
        return None
    return request.environ.setdefault(_CACHE_KEY, {})


class CachedAccessMixin:
    """For FAB's SecurityManager: the same answers as FAB's, computed once."""

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        self._builtin_answers: dict[tuple[str, str, str], bool] = {}
        self._public_grants_query = None

    def has_access(self, permission_name: str, view_name: str) -> bool:
        cache = request_cache()
        if cache is None:
            return super().has_access(permission_name, view_name)
        key = ("access", self._principal(), permission_name, view_name)
        if key not in cache:
            cache[key] = super().has_access(permission_name, view_name)
        return cache[key]

    def _principal(self) -> tuple:
        """Who the checks are for: the user object and its roles (changed within the request,
        they ask again), or nobody."""
        user = current_user._get_current_object()
        if not user.is_authenticated:
            return ("public",)
        return (id(user), user.is_active, tuple(role.id for role in self.get_user_roles(user)))

    def menu_key(self) -> tuple | None:
        """What the menu shown to the current visitor depends on, or None when it cannot be
        kept (a role kept in the database, an API key): the built-in roles and whether the user
        belongs to a member; for a visitor not logged in, the public role's grants."""
        if getattr(g, "_api_key_user", False):
            return None
        user = current_user._get_current_object()
        if not user.is_authenticated:
            return ("public", self._public_grants())
        roles = frozenset(role.name for role in self.get_user_roles(user))
        if not user.is_active or not roles <= self.builtin_roles.keys():
            return None
        return ("user", roles, getattr(user, "member_id", None) is not None)

    def _has_access_builtin_roles(self, role, permission_name: str, view_name: str) -> bool:
        key = (role.name, permission_name, view_name)
        answer = self._builtin_answers.get(key)
        if answer is None:
            answer = super()._has_access_builtin_roles(role, permission_name, view_name)
            self._builtin_answers[key] = answer
        return answer

    def get_public_role(self):
        cache = request_cache()
        if cache is None:
            return super().get_public_role()
        if "public_role" not in cache:
            cache["public_role"] = super().get_public_role()
        return cache["public_role"]

    def _public_grants(self) -> frozenset[tuple[str, str]]:
        """(permission, resource) pairs granted to the public role in the database (FAB's
        `is_item_public`), in one query, once per request."""
        cache = request_cache()
        if cache is not None and "public_grants" in cache:
            return cache["public_grants"]
        if self._public_grants_query is None:  # built once: its construction is most of its cost
            grant = self.permissionview_model
            self._public_grants_query = (
                select(self.permission_model.name, self.viewmenu_model.name)
                .select_from(grant)
                .join(grant.permission)
                .join(grant.view_menu)
                .join(grant.role)
                .where(self.role_model.name == self.auth_role_public)
            )
        grants = frozenset(self.session.execute(self._public_grants_query).tuples())
        if cache is not None:
            cache["public_grants"] = grants
        return grants

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        return (permission_name, view_name) in self._public_grants()

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids) -> bool:
        """Roles kept in the database (not built in): one query per question and request."""
        cache = request_cache()
        if cache is None:
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        key = ("db_roles", view_name, permission_name, tuple(sorted(role_ids)))
        if key not in cache:
            cache[key] = super().exist_permission_on_roles(view_name, permission_name, role_ids)
        return cache[key]
