"""Alembic migrations of the archive schema (versions/) and the frozen helpers they use."""
