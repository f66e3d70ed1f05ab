"""One log line per request (issue 13, "Throughput": structured logs without personal data).

The line carries the method, the route's pattern (`/employees/show/<pk>`,
`/notifications/unsubscribe/<string:token>`: never the path with its ids and tokens, never the
query string), the endpoint, the status, the duration in milliseconds until the body was sent
(streamed exports included) and a request id, also sent back as `X-Request-ID` so that a user's
report can be found. No user name, e-mail or identifier; the client's address only with
`LOG_CLIENT_IP`. `LOG_FORMAT`: `json` (one object per line, the default in production) or
`text` (`key=value`). The route and the request id are also put in the WSGI environ for
gunicorn's own access line (gunicorn.conf.py).

The request id comes from the proxy's `X-Request-ID` when the proxy is trusted
(`TRUSTED_PROXIES`) and the value looks like one, otherwise it is generated.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import current_app, g, request

LOGGER = "portal.request"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNMATCHED = "<unmatched>"  # no route: a 404 or a 405 is logged without its path

logger = logging.getLogger(LOGGER)


def _request_id() -> str:
    given = request.headers.get("X-Request-ID", "")
    if current_app.config.get("TRUSTED_PROXIES") and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def start() -> None:
    """before_request, first of all: the clock and the request id."""
    g.request_started = time.perf_counter()
    g.request_id = _request_id()
    request.environ["portal.request_id"] = g.request_id


def _fields(response) -> dict:
    rule = request.url_rule
    fields = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": g.get("request_id") or "-",
        "method": request.method,
        "route": rule.rule if rule is not None else UNMATCHED,
        "endpoint": request.endpoint or "-",
        "status": response.status_code,
    }
    if current_app.config.get("LOG_CLIENT_IP"):
        fields["client"] = request.remote_addr or "-"
    return fields


def format_line(fields: dict, style: str) -> str:
    if style == "json":
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())


def _text_value(value) -> str:
    text = str(value)
    return json.dumps(text) if not text or re.search(r"[\s\"=]", text) else text


def finish(response):
    """after_request, last of all: the line is written when the body has been sent."""
    fields = _fields(response)
    request.environ["portal.route"] = fields["route"]
    response.headers["X-Request-ID"] = fields["request_id"]
    started = g.get("request_started") or time.perf_counter()
    style = current_app.config.get("LOG_FORMAT", "text")

    def write() -> None:
        fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
        logger.info(format_line(fields, style), extra={"request_fields": fields})

    response.call_on_close(write)
    return response


def _install_handler() -> None:
    """A handler of its own on stderr, once per process (gunicorn configures no root logger),
    writing the line as it is. Alembic's logging set-up (`flask db upgrade` in the same process)
    disables the loggers that exist before it: this one is enabled again."""
    logger.disabled = False
    if any(getattr(handler, "portal_request_log", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.portal_request_log = True
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def init_app(app) -> None:
    _install_handler()
    # First before_request (CSRF's and FAB's come after it) and first after_request registered,
    # which Flask runs last: the status is the final one.
    app.before_request(start)
    app.after_request(finish)
