"""End-to-end fixtures: the test's app served over HTTP by werkzeug in a background thread, and a
headless Chromium driven by Playwright (the system's Chromium: Playwright never downloads one)."""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


class OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: the browser opens a connection per request. With keep-alive, werkzeug's server
    drains the socket before closing the response and can block there on the browser's next
    request, which delays the work the portal runs after a response (mail delivery)."""

    protocol_version = "HTTP/1.0"


def close_after_body(app):
    """Close the response as soon as its body is written, as gunicorn does. werkzeug's server
    first drains the request socket, and a read there can wait for the browser to close the
    connection: the work the portal runs when the response closes (mail delivery) then waited
    too, and a test expecting the mail failed now and then."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app):
    """The base URL of `app` served on 127.0.0.1 and a free port, for the duration of the test."""
    server = make_server(
        "127.0.0.1",
        0,
        close_after_body(app),
        threaded=True,
        request_handler=OneRequestPerConnection,
    )
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).is_file():
        pytest.fail(
            f"Chromium not found at {executable!r}: install it (apt-get install chromium) or set "
            "CHROMIUM_PATH. End-to-end tests are never skipped.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page in a fresh browser context (no cookies shared between tests)."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
