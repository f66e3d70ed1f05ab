"""Fixtures shared by the view tests."""

from tests.views.test_employees import ref  # noqa: F401 - the demo data's ids, as a fixture
