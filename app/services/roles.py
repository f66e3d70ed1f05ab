"""The role rows behind the built-in roles of app.permissions (their grants live in FAB_ROLES)."""

from app import permissions
from app.extensions import db


def ensure_roles(security_manager) -> int:
    created = 0
    for name in permissions.fab_roles():
        if security_manager.find_role(name) is None:
            db.session.add(security_manager.role_model(name=name))
            created += 1
    db.session.flush()
    return created
