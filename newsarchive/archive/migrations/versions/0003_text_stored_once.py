"""Article text stored once: revisions point at the article's body, SQLite search reads it;
where each fetch's WARC record is (fetches.warc_file, warc_offset); sketches re-hashed.

The latest revision of each article leaves ``body`` NULL (it is ``articles.body``); the
view ``article_revisions_full`` gives every revision with its body, for plain SQL.

The FTS5 trigram index reads its text from the view ``article_search_source`` over
``articles`` (external content) instead of keeping a second copy of every title and body.
The view gives the Simplified-folded title and body, each followed by two newlines (so
that a string at the very end still starts a trigram, see newsarchive.archive.index.END):
``articles.search_title`` /
``articles.search_body`` hold the folded form only where folding changes the text
(Traditional Chinese pages), else they are NULL and the view falls back to the original.
PostgreSQL keeps its pg_trgm table unchanged.

Revision ID: 0003
Revises: 0002 Create Date: 2026-11-24 19:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_BATCH = 1000
SOURCE_VIEW = (
    "CREATE VIEW article_search_source AS SELECT id, "
    "COALESCE(search_title, title, '') || char(10, 10) AS title, "
    "COALESCE(search_body, body) || char(10, 10) AS body "
    "FROM articles")
EXTERNAL_FTS = (
    "CREATE VIRTUAL TABLE article_search USING fts5(title, body, "
    "content = 'article_search_source', content_rowid = 'id', "
    "tokenize = 'trigram case_sensitive 0')")
OWN_COPY_FTS = (
    "CREATE VIRTUAL TABLE article_search USING fts5("
    "title, body, tokenize = 'trigram case_sensitive 0')")


def _backfill_folded(bind: sa.Connection) -> None:
    from newsarchive.archive.migrations.frozen import folded_rows

    rows = bind.execute(sa.text("SELECT id, title, body FROM articles ORDER BY id")).all()
    changed = [{"id": article_id, "t": title, "b": body}
               for article_id, _, _, title, body in folded_rows(rows)
               if title is not None or body is not None]
    update = sa.text("UPDATE articles SET search_title = :t, search_body = :b WHERE id = :id")
    for start in range(0, len(changed), BACKFILL_BATCH):
        bind.execute(update, changed[start:start + BACKFILL_BATCH])


REVISION_COLUMNS = ("id", "article_id", "extractor_version", "fetch_id", "evidence",
                    "created_at", "url", "title", "published_at", "published_offset",
                    "updated_at", "updated_offset", "authors", "source", "editor", "keywords",
                    "section_path", "summary", "language", "encoding", "content_hash")
FULL_REVISIONS_VIEW = (
    "CREATE VIEW article_revisions_full AS SELECT "
    + ", ".join(f"r.{name}" for name in REVISION_COLUMNS)
    + ", COALESCE(r.body, a.body) AS body FROM article_revisions r "
    "JOIN articles a ON a.id = r.article_id")
LATEST_EQUAL = (
    "id IN (SELECT MAX(id) FROM article_revisions GROUP BY article_id) AND body = "
    "(SELECT a.body FROM articles a WHERE a.id = article_revisions.article_id)")


def _revision_bodies_once() -> None:
    with op.batch_alter_table("article_revisions") as batch:
        batch.alter_column("body", existing_type=sa.Text(), nullable=True)
    op.execute(f"UPDATE article_revisions SET body = NULL WHERE {LATEST_EQUAL}")
    op.execute(FULL_REVISIONS_VIEW)


def _revision_bodies_twice() -> None:
    op.execute("DROP VIEW article_revisions_full")
    op.execute("UPDATE article_revisions SET body = (SELECT a.body FROM articles a "
               "WHERE a.id = article_revisions.article_id) WHERE body IS NULL")
    with op.batch_alter_table("article_revisions") as batch:
        batch.alter_column("body", existing_type=sa.Text(), nullable=False)


def _resketch(bind: sa.Connection) -> None:
    """Sketches and anchors again with the cheaper shingle hash (clusters are kept)."""
    from newsarchive.archive.migrations.frozen import ANCHORS, pack, sketch

    rows = bind.execute(sa.text("SELECT id, body FROM articles ORDER BY id")).all()
    bind.execute(sa.text("DELETE FROM sketch_anchors"))
    for start in range(0, len(rows), BACKFILL_BATCH):
        sketches = [(i, sketch(body)) for i, body in rows[start:start + BACKFILL_BATCH]]
        bind.execute(sa.text("UPDATE articles SET sketch = :s WHERE id = :id"),
                     [{"id": i, "s": pack(values)} for i, values in sketches])
        anchors = [{"a": a, "id": i} for i, values in sketches for a in values[:ANCHORS]]
        if anchors:
            bind.execute(sa.text(
                "INSERT INTO sketch_anchors (anchor, article_id) VALUES (:a, :id)"), anchors)


def upgrade() -> None:
    _resketch(op.get_bind())
    op.add_column("fetches", sa.Column("warc_file", sa.String(length=255), nullable=True))
    op.add_column("fetches", sa.Column("warc_offset", sa.BigInteger(), nullable=True))
    _revision_bodies_once()
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.add_column("articles", sa.Column("search_title", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("search_body", sa.Text(), nullable=True))
    _backfill_folded(bind)
    op.execute("DROP TABLE article_search")
    op.execute(SOURCE_VIEW)
    op.execute(EXTERNAL_FTS)
    op.execute("INSERT INTO article_search (article_search) VALUES ('rebuild')")
    # The index's terms, for 1-2 character queries (newsarchive.query.fulltext._rare_short).
    op.execute("CREATE VIRTUAL TABLE article_search_vocab USING fts5vocab(article_search, 'row')")


def downgrade() -> None:
    # Sketches keep the new hash: re-sketching with the old one would need its code.
    # In place: on SQLite a batch copy of fetches would break the rows referring to it.
    op.execute("ALTER TABLE fetches DROP COLUMN warc_offset")
    op.execute("ALTER TABLE fetches DROP COLUMN warc_file")
    _revision_bodies_twice()
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE article_search_vocab")
    op.execute("DROP TABLE article_search")
    op.execute(OWN_COPY_FTS)
    op.execute("INSERT INTO article_search (rowid, title, body) "
               "SELECT id, substr(title, 1, length(title) - 2), substr(body, 1, length(body) - 2) "
               "FROM article_search_source")
    op.execute("DROP VIEW article_search_source")
    # In place (SQLite >= 3.35): a batch copy of articles would break the rows referring to it.
    op.execute("ALTER TABLE articles DROP COLUMN search_body")
    op.execute("ALTER TABLE articles DROP COLUMN search_title")
