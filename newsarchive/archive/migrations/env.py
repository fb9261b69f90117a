"""Alembic environment: runs on the connection newsarchive.archive.db hands over, else on
$NEWSARCHIVE_DB. """

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from newsarchive.archive.models import Base, UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy types, so migrations never import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Search tables are engine-specific (FTS5 and its shadow tables; a GIN-indexed code array) and made
# by hand
# in the migrations, so the model comparison leaves them alone.
UNMODELLED_PREFIX = "article_search"
# SQLite only: the folded text the search index reads where it differs (migration 0003).
UNMODELLED_COLUMNS = {("articles", "search_title"), ("articles", "search_body")}


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave the hand-made search tables, their indexes and columns out of autogenerate."""
    if type_ == "column" and (parent_names.get("table_name"), name) in UNMODELLED_COLUMNS:
        return False
    return not (name or "").startswith((UNMODELLED_PREFIX, f"ix_{UNMODELLED_PREFIX}"))


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_item=render_item,
        include_name=include_name,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    from newsarchive.archive.db import default_db_url, make_engine

    engine = make_engine(default_db_url())
    try:
        with engine.connect() as conn:
            run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("newsarchive migrations run online only (they need a database connection)")
main()
