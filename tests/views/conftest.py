"""Fixtures shared by the view tests."""

import pytest

from tests.mail_server import smtp  # noqa: F401 - a real SMTP server, as a fixture
from tests.views.test_employees import (
    logged_in,
    ref,  # noqa: F401 - the demo data's ids, as a fixture
)


@pytest.fixture
def member(app):
    """A client logged in as the administrator of member 10250."""
    return logged_in(app, "ets10250")


@pytest.fixture
def staff(app):
    """A client logged in as service staff."""
    return logged_in(app, "gestion")
