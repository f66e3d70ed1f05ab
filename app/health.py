"""`/healthz` for the load balancer and the monitoring (issue 13, "Throughput"): the database
answers `SELECT 1`, and so does every Redis the application uses (the rate-limit counters when
`RATELIMIT_STORAGE_URI` is `redis://…`, the job queue's `REDIS_URL`). 200 with
`{"status": "ok", "database": "ok", "redis": "ok" | "not configured"}`, or 503 naming the part
that failed (`"error"`); the error itself goes to the log, never to the answer (a Redis URL may
hold a password).

No login, no session cookie, no rate limit, no CSRF, no personal data, one SQL statement. A plain
Flask route rather than a FAB view: no permission lookup, no menu."""

import logging

import redis
from flask import current_app, jsonify
from sqlalchemy import text

from app.extensions import csrf, db

logger = logging.getLogger(__name__)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
TIMEOUT_SECONDS = 2


def redis_urls(config) -> list[str]:
    """The Redis servers the application depends on, each once."""
    urls = []
    storage = config.get("RATELIMIT_STORAGE_URI") or ""
    if storage.startswith(REDIS_SCHEMES):
        urls.append(storage)
    queue = config.get("REDIS_URL") or ""
    if queue and queue not in urls:
        urls.append(queue)
    return urls


def _client(url: str) -> redis.Redis:
    """One client (and connection pool) per URL and app: a probe every few seconds reuses it."""
    clients = current_app.extensions.setdefault("healthz_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
    return clients[url]


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure is "error", logged
        db.session.rollback()
        logger.warning("healthz: database check failed: %s", type(error).__name__)
        return "error"


def _redis() -> str:
    urls = redis_urls(current_app.config)
    if not urls:
        return "not configured"
    for url in urls:
        try:
            _client(url).ping()
        except (redis.RedisError, OSError) as error:
            logger.warning("healthz: Redis check failed: %s", type(error).__name__)
            return "error"
    return "ok"


def healthz():
    parts = {"database": _database(), "redis": _redis()}
    failed = "error" in parts.values()
    response = jsonify({"status": "error" if failed else "ok", **parts})
    response.status_code = 503 if failed else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    """After the AppBuilder (its limiter must exist to exempt the route)."""
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    csrf.exempt(healthz)
    app.appbuilder.sm.limiter.exempt(healthz)
