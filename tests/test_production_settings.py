"""Production settings (issue 8 item 7): a weak SECRET_KEY refuses to start, HSTS in production
only, and TRUSTED_PROXIES: with 0 a forged X-Forwarded-For changes nothing (the per-IP login
limit still counts the real peer), with 1 the address the proxy forwards is the client's, so that
users behind the README's reverse proxy get their own per-IP counters."""

import secrets

import pytest
from flask import request, request_started

import config
from tests.conftest import csrf_token, make_app

STRONG = secrets.token_urlsafe(48)
HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)


@pytest.mark.parametrize(
    "key",
    [
        "x",
        "a" * 64,  # one character repeated
        "abc" * 20,  # a short piece repeated
        "0123456701234567" * 4,
        secrets.token_urlsafe(48)[:31],  # random, but under 32 bytes
    ],
    ids=["one-char", "repeated-char", "repeated-piece", "repeated-digits", "31-bytes"],
)
def test_production_refuses_a_weak_secret_key(production, monkeypatch, databases, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(config.ConfigError, match="SECRET_KEY is too weak"):
        config.load()
    # The factory checks again after its overrides.
    monkeypatch.setenv("SECRET_KEY", STRONG)
    with pytest.raises(config.ConfigError, match="SECRET_KEY is too weak"):
        make_app(databases.test_url, PORTAL_ENV="production", SECRET_KEY=key)


def test_production_starts_with_a_random_key_of_32_bytes_or_more(production, monkeypatch):
    for key in (STRONG, secrets.token_hex(16), secrets.token_urlsafe(32)):
        monkeypatch.setenv("SECRET_KEY", key)
        assert config.load()["SECRET_KEY"] == key


def test_development_keeps_its_generated_or_given_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.setenv("SECRET_KEY", "dev")
    assert config.load()["SECRET_KEY"] == "dev"


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_trusted_proxies_must_be_a_number(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        config.load()


def test_trusted_proxies_defaults_to_none(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    assert config.load()["TRUSTED_PROXIES"] == 0
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert config.load()["TRUSTED_PROXIES"] == 2


def test_hsts_in_production_only(production, monkeypatch, databases):
    monkeypatch.setenv("SECRET_KEY", STRONG)
    response = make_app(databases.fresh()).test_client().get("/login/")
    assert response.headers["Strict-Transport-Security"] == HSTS

    monkeypatch.setenv("PORTAL_ENV", "development")
    response = make_app(databases.test_url).test_client().get("/login/")
    assert "Strict-Transport-Security" not in response.headers


def _seen_by_the_app(app) -> list:
    """(remote_addr, scheme, host) of every request, as the views see them."""
    seen = []

    def record(sender, **extra):
        seen.append((request.remote_addr, request.scheme, request.host))

    request_started.connect(record, app, weak=False)
    return seen


def _bad_logins(client, forwarded_for: str, count: int) -> list[int]:
    """`count` failed logins (each for another unknown user: only the per-IP limit applies)."""
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_token(client.get("/login/", headers=headers).text)
    return [
        client.post(
            "/login/",
            data={
                "username": f"nobody-{secrets.token_hex(4)}",
                "password": "x",
                "csrf_token": token,
            },
            headers=headers,
        ).status_code
        for _ in range(count)
    ]


def test_without_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_ip_limit(databases):
    app = make_app(databases.fresh(), TRUSTED_PROXIES=0)
    seen = _seen_by_the_app(app)
    client = app.test_client()
    statuses = [
        status for i in range(11) for status in _bad_logins(client, f"198.51.100.{i + 1}", 1)
    ]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert {addr for addr, _scheme, _host in seen} == {"127.0.0.1"}


def test_behind_one_trusted_proxy_each_client_has_its_own_ip_limit(databases):
    app = make_app(databases.fresh(), TRUSTED_PROXIES=1)
    seen = _seen_by_the_app(app)
    first, second = app.test_client(), app.test_client()

    assert _bad_logins(first, "203.0.113.1", 11) == [302] * 10 + [429]
    assert _bad_logins(second, "203.0.113.2", 1) == [302]
    assert {addr for addr, _scheme, _host in seen} == {"203.0.113.1", "203.0.113.2"}

    # Only the last (proxy-appended) address counts; the scheme follows the proxy; the Host
    # header is never taken from X-Forwarded-Host.
    seen.clear()
    app.test_client().get(
        "/login/",
        headers={
            "X-Forwarded-For": "192.0.2.66, 203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
        },
    )
    assert seen == [("203.0.113.9", "https", "localhost")]


REDIS = "redis://127.0.0.1:6379/15"  # a database of the local Redis of its own


@pytest.mark.parametrize(
    ("storage", "eleventh"), [("memory://", 302), (REDIS, 429)], ids=["memory", "redis"]
)
def test_two_workers_share_the_login_limit_through_redis(databases, storage, eleventh):
    """The README's production setting (issue 13: the Redis client was missing, the first login
    crashed): two application processes, here two apps on one database, take turns answering
    one address's failed logins. In memory each counts its own (no refusal after 11); with
    RATELIMIT_STORAGE_URI on Redis they count together and the 11th is refused."""
    import redis

    store = redis.Redis.from_url(REDIS)
    store.flushdb()
    url = databases.fresh()
    workers = [make_app(url, RATELIMIT_STORAGE_URI=storage) for _ in range(2)]
    statuses = []
    for attempt in range(11):
        client = workers[attempt % 2].test_client()
        token = csrf_token(client.get("/login/").get_data(as_text=True))
        data = {"username": f"nobody{attempt}", "password": "x", "csrf_token": token}
        statuses.append(client.post("/login/", data=data).status_code)
    kept = store.keys("*")
    store.flushdb()

    assert statuses[:10] == [302] * 10 and statuses[10] == eleventh
    assert bool(kept) == (storage == REDIS)
