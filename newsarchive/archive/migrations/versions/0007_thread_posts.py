"""Thread posts: ``articles.posts`` and ``article_revisions.posts`` keep a forum or blog thread's
posts in page order (author, published, text each; NULL for an article that is no thread), and
the view ``article_revisions_full`` shows them.

Revision ID: 0007
Revises: 0006 Create Date: 2026-12-02 21:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
COLUMNS = ("id", "article_id", "extractor_version", "fetch_id", "evidence", "created_at", "url",
           "title", "published_at", "published_offset", "updated_at", "updated_offset",
           "authors", "source", "editor", "keywords", "section_path", "summary", "language",
           "encoding", "content_hash")


def _view(columns: Sequence[str]) -> str:
    return ("CREATE VIEW article_revisions_full AS SELECT "
            + ", ".join(f"r.{name}" for name in columns)
            + ", COALESCE(r.body, a.body) AS body FROM article_revisions r "
            "JOIN articles a ON a.id = r.article_id")


def upgrade() -> None:
    op.execute("DROP VIEW article_revisions_full")
    # In place on SQLite (>= 3.35 for the downgrade): a batch copy would break the rows
    # referring to these tables.
    op.add_column("articles", sa.Column("posts", JSON, nullable=True))
    op.add_column("article_revisions", sa.Column("posts", JSON, nullable=True))
    op.execute(_view((*COLUMNS, "posts")))


def downgrade() -> None:
    op.execute("DROP VIEW article_revisions_full")
    op.execute("ALTER TABLE article_revisions DROP COLUMN posts")
    op.execute("ALTER TABLE articles DROP COLUMN posts")
    op.execute(_view(COLUMNS))
