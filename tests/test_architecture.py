"""The domain is pure: it imports nothing from Flask, SQLAlchemy, the models or the services."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "app" / "domain"
FORBIDDEN = ("flask", "flask_appbuilder", "flask_babel", "sqlalchemy", "app.models", "app.services")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_domain_imports_no_framework_and_reads_no_clock():
    offenders = []
    for path in DOMAIN.glob("*.py"):
        for name in _imports(path):
            if name.startswith(FORBIDDEN) or name == "app.clock":
                offenders.append(f"{path.name}: {name}")
        source = path.read_text()
        if "date.today()" in source or "datetime.now(" in source:
            offenders.append(f"{path.name}: reads the clock")
    assert offenders == []


def test_role_prefixes_only_name_our_own_views(app):
    """Roles grant by resource prefix: a view named Portal*/Backoffice* elsewhere would leak."""
    misplaced = []
    for view in app.appbuilder.baseviews:
        name = view.class_permission_name
        module = type(view).__module__
        for prefix, package in (
            ("Portal", "app.views.portal"),
            ("Backoffice", "app.views.backoffice"),
        ):
            if name.startswith(prefix) and not module.startswith(package):
                misplaced.append(f"{name} in {module}")
    assert misplaced == []
