"""The application factory: composition only (extensions, AppBuilder, views, CLI)."""

from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from app import cli, errors, health, identity, permissions, planner_statistics, request_log
from app.extensions import csrf, db, migrate
from app.security import headers, tenancy
from app.services import jobs, text_search
from app.views import params
from app.views.portal.profile import require_password_change

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config.INSTANCE_DIR))
    app.config.update(config.load())
    app.config["FAB_ROLES"] = permissions.fab_roles()
    app.config.update(overrides or {})
    config.check(app.config)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address and scheme as the proxies saw them (per-IP login limits, Secure
        # cookies); the Host header is never taken from them.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)

    request_log.init_app(app)  # first: its clock starts before every other hook
    db.init_app(app)
    planner_statistics.init_app(app)  # SQLite: PRAGMA optimize on each connection
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)  # before AppBuilder: FAB's GET delete/action routes get protected too
    params.init_app(app)  # before the views: their <int:...> rules take the bounded converter
    tenancy.install()
    text_search.install()
    jobs.install()
    headers.init_app(app)
    identity.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        from app import views

        views.register(appbuilder)
    app.before_request(tenancy.resolve_scope)  # after FAB's own, which sets g.user
    app.before_request(require_password_change)
    errors.init_app(app)
    health.init_app(app)
    cli.init_app(app)
    from app import tasks  # noqa: F401  (registers the background jobs' tasks)

    return app
