"""Deletion/restoration events, Chinese full-text search, near-duplicate clusters.

SQLite: ``article_search`` is an FTS5 table with the trigram tokenizer (rowid = article id).
PostgreSQL: ``article_search`` is a plain table with pg_trgm GIN indexes. Either holds the
Simplified-folded title and body; both are outside the models (see env.py).

Revision ID: 0002
Revises: 0001 Create Date: 2026-11-24 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_BATCH = 1000


def _trgm_schema(bind: sa.Connection) -> str:
    """The schema holding pg_trgm, created in public when missing (tests drop their own schemas)."""
    found = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar_one_or_none()
    if found is None:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        found = "public"
    return str(found)


def _create_search(bind: sa.Connection) -> None:
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text(
            "CREATE VIRTUAL TABLE article_search USING fts5("
            "title, body, tokenize = 'trigram case_sensitive 0')"))
        return
    schema = _trgm_schema(bind)
    bind.execute(sa.text(
        "CREATE TABLE article_search (article_id INTEGER PRIMARY KEY "
        "REFERENCES articles (id), title TEXT NOT NULL, body TEXT NOT NULL)"))
    for column in ("title", "body"):
        bind.execute(sa.text(
            f"CREATE INDEX ix_article_search_{column}_trgm ON article_search "
            f'USING gin ({column} "{schema}".gin_trgm_ops)'))


def _backfill_search(bind: sa.Connection) -> None:
    from newsarchive.archive.migrations.frozen import fold_simplified

    if bind.dialect.name == "sqlite":
        insert = sa.text("INSERT INTO article_search (rowid, title, body) VALUES (:id, :t, :b)")
    else:
        insert = sa.text(
            "INSERT INTO article_search (article_id, title, body) VALUES (:id, :t, :b)"
        )
    rows = bind.execute(sa.text("SELECT id, title, body FROM articles ORDER BY id")).all()
    for start in range(0, len(rows), BACKFILL_BATCH):
        batch = rows[start:start + BACKFILL_BATCH]
        bind.execute(insert, [{"id": i, "t": fold_simplified(t or ""), "b": fold_simplified(b)}
                              for i, t, b in batch])


def upgrade() -> None:
    op.create_table(
        "article_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetch_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_article_events_article_id_articles")
        ),
        sa.ForeignKeyConstraint(
            ["fetch_id"], ["fetches.id"], name=op.f("fk_article_events_fetch_id_fetches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_events")),
    )
    op.create_index(op.f("ix_article_events_article_id"), "article_events", ["article_id"])
    op.create_index(op.f("ix_article_events_fetch_id"), "article_events", ["fetch_id"])
    op.create_table(
        "sketch_anchors",
        sa.Column("anchor", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_sketch_anchors_article_id_articles")
        ),
        sa.PrimaryKeyConstraint("anchor", "article_id", name=op.f("pk_sketch_anchors")),
    )
    op.create_index(op.f("ix_sketch_anchors_article_id"), "sketch_anchors", ["article_id"])
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sketch", sa.LargeBinary(), nullable=True))
        batch.create_index(batch.f("ix_articles_cluster_id"), ["cluster_id"])
    bind = op.get_bind()
    _create_search(bind)
    _backfill_search(bind)


def downgrade() -> None:
    op.execute("DROP TABLE article_search")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index(batch.f("ix_articles_cluster_id"))
        batch.drop_column("sketch")
        batch.drop_column("cluster_id")
    op.drop_index(op.f("ix_sketch_anchors_article_id"), table_name="sketch_anchors")
    op.drop_table("sketch_anchors")
    op.drop_index(op.f("ix_article_events_fetch_id"), table_name="article_events")
    op.drop_index(op.f("ix_article_events_article_id"), table_name="article_events")
    op.drop_table("article_events")
