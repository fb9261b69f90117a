"""Shared fixtures: real databases (SQLite file, PostgreSQL schema) for every test that asks.

`db_url` is parametrised over SQLite and PostgreSQL. PostgreSQL tests run whenever
CI=true (and fail the session if the server is missing); elsewhere they skip with a
clear message when the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_URL = os.environ.get("NEWSARCHIVE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHARED = Path(__file__).resolve().parents[2] / "shared"

_pg_ran = {"count": 0}


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - depends on the install
        return f"psycopg not installed ({exc})"
    try:
        with psycopg.connect(PG_DSN, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL at 127.0.0.1:5432 not reachable ({exc})"


@pytest.fixture(scope="session")
def pg_available() -> str | None:
    return _pg_reachable()


@contextmanager
def _pg_schema(problem: str | None) -> Iterator[str]:
    """A SQLAlchemy URL to a fresh, empty PostgreSQL schema, dropped afterwards."""
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    _pg_ran["count"] += 1
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url(pg_available: str | None) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test."""
    with _pg_schema(pg_available) as url:
        yield url


@pytest.fixture(scope="module")
def pg_module_url(pg_available: str | None) -> Iterator[str]:
    """A fresh PostgreSQL schema shared by one test module."""
    with _pg_schema(pg_available) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository (seed page, bench datasets)."""
    if not SHARED.is_dir():
        # The quality gate must never pass by skipping where it is meant to run.
        if IN_CI:
            pytest.fail(f"CI=true but {SHARED} is not present: the quality gate cannot run")
        pytest.skip(f"{SHARED} not present")
    return SHARED


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With CI=true, a run in which no PostgreSQL test ran is a failed run."""
    # Split over xdist workers (make test-fast), no process sees every test: CI runs make test.
    distributed = session.config.getoption("numprocesses", default=None) or hasattr(
        session.config, "workerinput")
    if (IN_CI and not distributed and exitstatus == 0 and session.testscollected
            and _pg_ran["count"] == 0):
        selected = session.config.getoption("-k") or session.config.getoption("-m")
        if not selected:
            print("\nCI=true but no PostgreSQL test ran: failing the session.")
            session.exitstatus = 1
