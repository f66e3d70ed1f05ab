"""Service-staff views (resources named Backoffice*: the Staff role's pattern)."""
