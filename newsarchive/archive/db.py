"""Database URLs, engines (read-write, or read-only for queries), and Alembic upgrade/check run
from the package's own migrations."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from newsarchive.extract.errors import FailureKind, NewsarchiveError

DEFAULT_DB_URL = "sqlite:///newsarchive.db"
PACKAGE_DIR = Path(__file__).resolve().parent
# Any fixed number: PostgreSQL workers starting together migrate one at a time.
MIGRATION_LOCK_ID = 0x6E657773
SQLITE_BUSY_TIMEOUT_S = 30.0
PG_CONNECT_TIMEOUT_S = 10


class ArchiveUnavailable(NewsarchiveError):
    """The archive at a URL cannot be opened as asked: a bad URL, no such file, not an archive,
    a server that does not answer, a driver not installed, or a schema older or newer than this
    newsarchive. `url` is the URL without its password."""

    kind = FailureKind.ARCHIVE
    reason = "the archive cannot be opened"


def shown_url(url: str) -> str:
    """`url` as it may be shown in a message: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def default_db_url() -> str:
    """$NEWSARCHIVE_DB, else ``sqlite:///newsarchive.db`` in the current directory."""
    return os.environ.get("NEWSARCHIVE_DB") or DEFAULT_DB_URL


def _json_dumps(value: Any) -> str:
    # Chinese stays readable to anyone querying the database with plain SQL.
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, *, readonly: bool = False) -> Engine:
    """An engine for `url`; on SQLite with WAL, foreign keys and a busy timeout.

    SQLite transactions begin DEFERRED, or IMMEDIATE on a connection with the execution
    option ``sqlite_begin="IMMEDIATE"`` (writers take the write lock first, so two writers
    wait for each other instead of failing with "database is locked").

    `readonly` opens an archive that must exist and is never written: SQLite in ``mode=ro``
    (no WAL switch, no file created; ``immutable`` where even the WAL index cannot be
    made, e.g. a copy on read-only media), PostgreSQL in read-only transactions.
    ArchiveUnavailable for a URL that names no database SQLAlchemy can reach.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ArchiveUnavailable(url, "not a database URL (e.g. sqlite:///newsarchive.db or "
                                 "postgresql+psycopg://user@host/db)") from exc
    if readonly:
        return _readonly_engine(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_target(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(
                url, json_serializer=_json_dumps,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
            )
            event.listen(engine, "connect", _sqlite_pragmas(WRITE_PRAGMAS))
            event.listen(engine, "begin", _sqlite_on_begin)
            return engine
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            # A server that drops packets fails in seconds, not after the OS's minutes.
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        return create_engine(url, json_serializer=_json_dumps, pool_pre_ping=True, pool_size=5,
                             max_overflow=5, connect_args=connect_args)
    except NoSuchModuleError as exc:
        raise ArchiveUnavailable(shown_url(url), f"unknown database kind {parsed.drivername!r} "
                                 "(use sqlite:///FILE or postgresql+psycopg://...)") from exc
    except ImportError as exc:
        module = getattr(exc, "name", None) or str(exc)
        raise ArchiveUnavailable(shown_url(url), f"the driver for {parsed.drivername} "
                                 f"({module}) is not installed: install it, or for PostgreSQL "
                                 "pip install 'newsarchive[postgres]'") from exc


def _check_sqlite_target(url: str) -> None:
    """ArchiveUnavailable where a SQLite file to write cannot be: a directory, or in a
    directory that does not exist (SQLite would only say "unable to open database file")."""
    path = sqlite_path(url)
    if path is None:
        return
    if path.is_dir():
        raise ArchiveUnavailable(url, f"{path} is a directory: give the archive file in it, "
                                 f"e.g. sqlite:///{path / 'newsarchive.db'}")
    parent = path.parent
    if not parent.is_dir():
        raise ArchiveUnavailable(url, f"directory {parent} does not exist: create it first")


def require_archive(url: str) -> None:
    """ArchiveUnavailable unless the SQLite file `url` names exists (a command that writes to
    an existing archive must not create an empty one from a mistyped --db)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise ArchiveUnavailable(url, f"no archive at {path} (check --db; `newsarchive crawl` "
                                 "or `newsarchive migrate` creates one)")


def sqlite_path(url: str) -> Path | None:
    """The file a sqlite URL names; None for an in-memory database or another engine."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _readonly_engine(url: str) -> Engine:
    """An engine that reads the archive at `url` and can write nothing (see make_engine)."""
    if make_url(url).get_backend_name() != "sqlite":
        engine = make_engine(url)
        event.listen(engine, "connect", _readonly_session)
        return engine
    path = sqlite_path(url)
    if path is None:
        raise ArchiveUnavailable(url, "an in-memory database holds no archive to read")
    if not path.exists():
        raise ArchiveUnavailable(url, f"no archive at {path} (check --db; `newsarchive crawl` "
                                 "creates one)")
    if path.is_dir():
        raise ArchiveUnavailable(url, f"{path} is a directory, not an archive file (check --db)")
    if not path.is_file():
        raise ArchiveUnavailable(url, f"{path} is not a file")
    tidy = not any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm"))
    target = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        probe = sqlite3.connect(target, uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        if "file is not a database" in str(exc) or "malformed" in str(exc):
            raise ArchiveUnavailable(url, f"{path} is not an SQLite database") from exc
        # A WAL archive whose directory cannot hold its -shm file: read it as it is.
        target += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(target, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S,
                               check_same_thread=False)

    # "sqlite://" alone would get SingletonThreadPool (one connection per thread, closed
    # under threads beyond its size): the web interface reads from many threads at once.
    engine = create_engine("sqlite://", creator=connect, json_serializer=_json_dumps,
                           poolclass=QueuePool, pool_size=8, max_overflow=8)
    event.listen(engine, "connect", _sqlite_pragmas(READ_PRAGMAS))
    event.listen(engine, "begin", _sqlite_on_begin)
    if tidy:
        _UNTIDY[engine] = path
    return engine


# Read-only engines on a WAL archive that had no -wal/-shm files when opened: a mode=ro
# connection makes them and cannot remove them; close_engine has SQLite remove them.
_UNTIDY: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def close_engine(engine: Engine) -> None:
    """Release the engine's connections; a read-only SQLite archive is left as it was found,
    without -wal/-shm files its reading made."""
    engine.dispose()
    path = _UNTIDY.pop(engine, None)
    if path is None:
        return
    wal = path.with_name(path.name + "-wal")
    try:
        if not wal.exists() or wal.stat().st_size:
            return  # nothing made, or a writer has since written: not ours to touch
        # The last connection to close removes the sidecars, after a checkpoint of the empty
        # WAL (the archive file is not changed); while another process has it open, nothing.
        probe = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=rw", uri=True,
                                timeout=1.0)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
    except (OSError, sqlite3.Error):
        pass  # read-only media or a busy writer: the sidecars stay, as SQLite made them


def _readonly_session(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()


# SQLite pragmas of a writing connection: WAL, so readers never wait for the writer; foreign
# keys on; synchronous NORMAL, which WAL makes safe against corruption (only the last commits may
# be lost on power loss); 64 MB of page cache (the default is 2 MB), since batched writes touch
# index pages all over the file (FTS segments, anchors) and keep them in memory between
# statements. A reading connection switches nothing (mode=ro) and refuses any write.
WRITE_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "cache_size=-65536")
READ_PRAGMAS = ("query_only=ON", "cache_size=-65536")


def _sqlite_pragmas(pragmas: tuple[str, ...]) -> Callable[[Any, Any], None]:
    """A connect hook that sets `pragmas`, and takes transaction control away from the sqlite3
    module, so that BEGIN is ours to emit."""
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return on_connect


def _sqlite_on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's config for the package's migrations, bound to `connection` when given."""
    # Alembic's own messages ("No new upgrade operations detected") are not ours to print.
    config = Config(str(PACKAGE_DIR / "alembic.ini"), stdout=io.StringIO())
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _locked(connection: Connection) -> Connection:
    """Hold the migration lock for the rest of the connection's transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    return connection


def head_revision() -> str:
    """The schema revision this newsarchive's code needs."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(connection: Connection) -> str | None:
    """The archive's schema revision; None where there is no archive schema at all."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_schema(connection: Connection, url: str) -> None:
    """ArchiveUnavailable unless the archive's schema is the one this code reads."""
    found = schema_revision(connection)
    head = head_revision()
    if found == head:
        return
    if found is None:
        raise ArchiveUnavailable(url, "not a newsarchive archive (no schema in it)")
    known = {script.revision for script in ScriptDirectory.from_config(
        alembic_config()).walk_revisions()}
    if found not in known:
        raise ArchiveUnavailable(url, f"its schema ({found}) is newer than this newsarchive's "
                                 f"({head}): upgrade newsarchive")
    raise ArchiveUnavailable(url, f"its schema ({found}) is older than this newsarchive's "
                             f"({head}): run `newsarchive migrate --db URL`")


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the package's migrations to `url` up to `revision` (``alembic upgrade head``)."""
    engine = make_engine(url)
    try:
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        with writer.begin() as connection:
            command.upgrade(alembic_config(_locked(connection)), revision)
    except ArchiveUnavailable:
        raise
    except (SQLAlchemyError, OSError) as exc:
        raise ArchiveUnavailable(shown_url(url), unavailable_reason(exc)) from exc
    finally:
        engine.dispose()


def unavailable_reason(error: BaseException) -> str:
    """One line on why a database could not be opened or migrated."""
    cause = getattr(error, "orig", None) or error
    text_ = " ".join(str(cause).split()) or type(cause).__name__
    if "file is not a database" in text_:
        return "not an SQLite database"
    if "unable to open database file" in text_:
        return "cannot open the database file (does its directory exist? is it writable?)"
    if "readonly database" in text_:
        return "the archive is read-only; query commands read it without writing"
    if "does not exist" in text_:
        return f"the server answers, but: {text_[:200]} (check --db, or create it)"
    if "authentication failed" in text_ or "no password supplied" in text_:
        return f"the server refused the login (check user and password in --db): {text_[:200]}"
    if "timeout expired" in text_:
        return f"the database server did not answer in time ({text_[:200]})"
    if "connection" in text_.lower() and ("refused" in text_ or "failed" in text_):
        return f"the database server does not answer ({text_[:200]})"
    return text_[:300]


def check(url: str) -> None:
    """``alembic check``: raise alembic.util.AutogenerateDiffsDetected if models and DB differ."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            command.check(alembic_config(connection))
    finally:
        engine.dispose()
