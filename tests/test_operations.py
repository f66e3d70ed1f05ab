"""Operations (issue 13): `/healthz`, the request log line, and gunicorn.conf.py read by gunicorn's
own loader, then a real gunicorn serving the app with it (its access line and the app's line
carry the route's pattern, never a token or the query string)."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gunicorn.app.wsgiapp import WSGIApplication
from sqlalchemy import event

from app import request_log
from app.extensions import db
from tests.conftest import login, make_app

ROOT = Path(__file__).resolve().parent.parent
REDIS_DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1
REDIS_UP = "redis://127.0.0.1:6379/5"
TOKEN = "Zq7secretTOKENxyz123"


def _statements(app, call) -> list[str]:
    executed = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: executed.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return executed


def test_healthz_answers_ok_with_one_statement_and_no_cookie(app, client):
    holder = {}
    statements = _statements(app, lambda: holder.setdefault("r", client.get("/healthz")))
    response = holder["r"]
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert statements == ["SELECT 1"]
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_redis_does_not_answer(databases):
    for settings in ({"RATELIMIT_STORAGE_URI": REDIS_DOWN}, {"REDIS_URL": REDIS_DOWN}):
        response = make_app(databases.fresh(), **settings).test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "database": "ok", "redis": "error"}
        assert "127.0.0.1" not in response.get_data(as_text=True)


def test_healthz_checks_the_configured_redis_when_it_answers(databases):
    app = make_app(databases.fresh(), RATELIMIT_STORAGE_URI=REDIS_UP, REDIS_URL=REDIS_UP)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["redis"] == "ok"


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'portal.db'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "error",
        "database": "error",
        "redis": "not configured",
    }


def test_healthz_is_not_rate_limited_nor_csrf_checked(databases):
    app = make_app(databases.fresh(), RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/legal/mentions-legales").status_code for _ in range(3)][-1] == 429
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}
    assert client.post("/healthz").status_code == 405  # GET only, and no CSRF error page


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def lines():
    handler = Lines()
    request_log.logger.addHandler(handler)
    yield handler.records
    request_log.logger.removeHandler(handler)


def _get(client, url):
    response = client.get(url, buffered=True)  # the line is written once the body is sent
    return response


def test_one_line_per_request_with_route_status_duration_and_no_token(app, client, lines):
    login(client, "ets10250")
    lines.clear()
    response = _get(client, f"/notifications/unsubscribe/{TOKEN}?email=ets10250@demo.fr")
    assert len(lines) == 1
    fields = lines[0].request_fields
    assert fields["route"] == "/notifications/unsubscribe/<string:token>"
    assert fields["endpoint"] == "UnsubscribeView.confirm"
    assert fields["status"] == response.status_code == 404
    assert fields["method"] == "GET" and fields["duration_ms"] >= 0
    assert fields["request_id"] == response.headers["X-Request-ID"]
    line = lines[0].getMessage()
    for private in (TOKEN, "ets10250", "demo.fr", "127.0.0.1", "email="):
        assert private not in line
    assert "client" not in fields


def test_json_format_and_client_address_only_when_asked(databases, lines):
    app = make_app(databases.fresh(), LOG_FORMAT="json", LOG_CLIENT_IP=True)
    _get(app.test_client(), "/employees/123456")
    record = json.loads(lines[-1].getMessage())
    assert record["route"] == "/employees/<int:employee_id>"
    assert "123456" not in lines[-1].getMessage()
    assert record["status"] in {302, 401, 403, 404} and record["client"] == "127.0.0.1"


def test_unmatched_paths_are_not_logged_as_typed(client, lines):
    _get(client, f"/reset/{TOKEN}")
    fields = lines[-1].request_fields
    assert fields["route"] == request_log.UNMATCHED and fields["status"] == 404
    assert TOKEN not in lines[-1].getMessage()


def test_request_id_from_a_trusted_proxy_only(databases, lines):
    headers = {"X-Request-ID": "proxy-abcdef-0123"}
    for proxies, expected in ((0, False), (1, True)):
        app = make_app(databases.fresh(), TRUSTED_PROXIES=proxies)
        response = app.test_client().get("/healthz", headers=headers, buffered=True)
        assert (response.headers["X-Request-ID"] == "proxy-abcdef-0123") is expected
    app = make_app(databases.fresh(), TRUSTED_PROXIES=1)
    forged = app.test_client().get("/healthz", headers={"X-Request-ID": "a b forged=1 {}"})
    assert len(forged.headers["X-Request-ID"]) == 32 and "forged" not in lines[-1].getMessage()


def test_an_unknown_log_format_refuses_to_start(databases):
    import config

    with pytest.raises(config.ConfigError, match="LOG_FORMAT"):
        make_app(databases.test_url, LOG_FORMAT="xml")


def _gunicorn_config(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["gunicorn", "-c", str(ROOT / "gunicorn.conf.py")])
    monkeypatch.chdir(ROOT)
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def test_gunicorn_config_is_valid_and_ties_the_proxies_to_trusted_proxies(monkeypatch):
    cfg = _gunicorn_config(monkeypatch)
    assert cfg.timeout == 30 and cfg.graceful_timeout == 30
    assert 1 <= cfg.workers <= 8 and cfg.wsgi_app == "run:app"
    assert cfg.bind == ["127.0.0.1:8000"] and cfg.control_socket_disable
    assert cfg.forwarded_allow_ips == [] and cfg.secure_scheme_headers == {}
    assert "%(q)s" not in cfg.access_log_format and "%(r)s" not in cfg.access_log_format
    assert "%(U)s" not in cfg.access_log_format and "{portal.route}e" in cfg.access_log_format

    cfg = _gunicorn_config(monkeypatch, TRUSTED_PROXIES="1", WEB_CONCURRENCY="3")
    assert cfg.workers == 3
    assert cfg.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert cfg.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}
    cfg = _gunicorn_config(monkeypatch, TRUSTED_PROXIES="1", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert cfg.forwarded_allow_ips == ["10.0.0.5"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gunicorn_serves_with_the_config_and_logs_no_token(databases, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": databases.fresh(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESSLOG": "-",
        "LOG_FORMAT": "json",
        "TRUSTED_PROXIES": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            health = json.load(_wait_for(f"http://127.0.0.1:{port}/healthz"))
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/notifications/unsubscribe/{TOKEN}?q={TOKEN}"
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert health["status"] == "ok" and missing.value.code == 404
    text = log.read_text()
    assert TOKEN not in text
    requests = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert [r["route"] for r in requests][-2:] == [
        "/healthz",
        "/notifications/unsubscribe/<string:token>",
    ]
    access = [line for line in text.splitlines() if '"GET /' in line]
    assert '"GET /notifications/unsubscribe/<string:token>" 404' in access[-1]
    assert f"request_id={requests[-1]['request_id']}" in access[-1]
