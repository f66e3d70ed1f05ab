"""Fixtures shared by the view tests."""

from tests.mail_server import smtp  # noqa: F401 - a real SMTP server, as a fixture
from tests.views.test_employees import ref  # noqa: F401 - the demo data's ids, as a fixture
