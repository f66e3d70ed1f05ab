"""Authentication, tenancy and HTTP hardening."""
