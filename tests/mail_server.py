"""A real SMTP server on loopback (aiosmtpd) for the mail tests, as a fixture."""

import socket
import time
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler keeping what the SMTP server received."""

    def __init__(self):
        self.received = []  # (envelope recipients, parsed message)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait(self, expected: int = 1, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while len(self.received) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= expected, f"{len(self.received)} mail(s) after {timeout}s"
        return self.received


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app, inbox: Inbox):
    """Run `inbox` as a real SMTP server on loopback, configured as the app's MAIL_SERVER."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback, configured as the app's MAIL_SERVER."""
    with serving(app, Inbox()) as inbox:
        yield inbox
