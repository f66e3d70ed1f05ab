"""Employer-facing views (resources named Portal*), always scoped to the user's member."""
