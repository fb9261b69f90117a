"""Search indexes made cheaper: on PostgreSQL, character bigrams instead of pg_trgm; on
SQLite, FTS5 without positions.

PostgreSQL: pg_trgm cannot index strings of one or two characters, so such queries scanned
the whole table (seconds at 100,000 articles for a rare pair). ``article_search.grams``
(integer[], GIN) holds every character and every pair of adjacent characters of the folded,
lower-cased text as integer codes (newsarchive.archive.index.grams) and replaces the two pg_trgm
indexes; a query looks up its pairs (or its one character), then LIKE rechecks.
``title`` / ``body`` become NULL where they equal the article's own, which the search then
reads from ``articles`` (as SQLite's view does since 0003).

SQLite: ``article_search`` is rebuilt with ``detail=none, columnsize=0``: no token positions
(a query asks for all its trigrams and LIKE rechecks) and no per-row sizes (bm25 is no
longer used): a smaller index, cheaper to write.

Revision ID: 0005
Revises: 0004 Create Date: 2026-11-24 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_BATCH = 1000
FTS = ("CREATE VIRTUAL TABLE article_search USING fts5(title, body, "
       "content = 'article_search_source', content_rowid = 'id', "
       "tokenize = 'trigram case_sensitive 0'{options})")
WITHOUT_POSITIONS = ", detail = none, columnsize = 0"


def _rebuild_fts(options: str) -> None:
    """SQLite: article_search (and its vocabulary view) again, with `options`, re-indexed."""
    op.execute("DROP TABLE article_search_vocab")
    op.execute("DROP TABLE article_search")
    op.execute(FTS.format(options=options))
    op.execute("INSERT INTO article_search (article_search) VALUES ('rebuild')")
    op.execute("CREATE VIRTUAL TABLE article_search_vocab USING fts5vocab(article_search, 'row')")


def _grams_from_articles(bind: sa.Connection) -> None:
    from newsarchive.archive.migrations.frozen import search_rows

    ids = list(bind.execute(sa.text(
        "SELECT article_id FROM article_search ORDER BY article_id")).scalars())
    update = sa.text("UPDATE article_search SET title = :title, body = :body, "
                     "grams = CAST(:grams AS integer[]) WHERE article_id = :article_id")
    for start in range(0, len(ids), BACKFILL_BATCH):
        articles = bind.execute(sa.text(
            "SELECT id, title, body FROM articles WHERE id = ANY(:ids) ORDER BY id"),
            {"ids": ids[start:start + BACKFILL_BATCH]}).all()
        bind.execute(update, search_rows([tuple(a) for a in articles]))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild_fts(WITHOUT_POSITIONS)
        return
    op.execute("DROP INDEX ix_article_search_title_trgm")
    op.execute("DROP INDEX ix_article_search_body_trgm")
    op.execute("ALTER TABLE article_search ADD COLUMN grams integer[], "
               "ALTER COLUMN title DROP NOT NULL, ALTER COLUMN body DROP NOT NULL")
    _grams_from_articles(bind)
    # The codes do not compress (pglz gives up on them after trying, on every write).
    op.execute("ALTER TABLE article_search ALTER COLUMN grams SET NOT NULL, "
               "ALTER COLUMN grams SET STORAGE EXTERNAL")
    op.execute("CREATE INDEX ix_article_search_grams ON article_search USING gin (grams)")


def downgrade() -> None:
    from newsarchive.archive.migrations.frozen import fold

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild_fts("")
        return
    op.execute("DROP INDEX ix_article_search_grams")
    op.execute("ALTER TABLE article_search DROP COLUMN grams")
    missing = bind.execute(sa.text(
        "SELECT a.id, a.title, a.body FROM article_search s JOIN articles a "
        "ON a.id = s.article_id WHERE s.title IS NULL OR s.body IS NULL")).all()
    update = sa.text("UPDATE article_search SET title = :title, body = :body "
                     "WHERE article_id = :id")
    for start in range(0, len(missing), BACKFILL_BATCH):
        bind.execute(update, [{"id": i, "title": fold(t), "body": fold(b)}
                              for i, t, b in missing[start:start + BACKFILL_BATCH]])
    op.execute("ALTER TABLE article_search ALTER COLUMN title SET NOT NULL, "
               "ALTER COLUMN body SET NOT NULL")
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar_one()
    for column in ("title", "body"):
        op.execute(f"CREATE INDEX ix_article_search_{column}_trgm ON article_search "
                   f'USING gin ({column} "{schema}".gin_trgm_ops)')
