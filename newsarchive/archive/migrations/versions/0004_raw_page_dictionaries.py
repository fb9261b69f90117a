"""Raw pages in zstd with per-host dictionaries: the table ``raw_page_dictionaries`` and
``raw_pages.dictionary_id``. Existing rows stay zlib (``compression`` says which) and read
as before; nothing is recompressed.

Revision ID: 0004
Revises: 0003 Create Date: 2026-11-24 22:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_raw_pages_dictionary_id_raw_page_dictionaries"
# Raw pages rewritten per statement on downgrade (tens of KB each: a few MB in memory).
DOWNGRADE_BATCH = 100


def upgrade() -> None:
    op.create_table(
        "raw_page_dictionaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_page_dictionaries")),
    )
    op.create_index(op.f("ix_raw_page_dictionaries_host"), "raw_page_dictionaries", ["host"])
    if op.get_bind().dialect.name == "sqlite":
        # In place: batch mode would rebuild raw_pages, and dropping the old table fails on
        # the fetches that reference it.
        op.execute(f"ALTER TABLE raw_pages ADD COLUMN dictionary_id INTEGER CONSTRAINT {FK} "
                   "REFERENCES raw_page_dictionaries (id)")
    else:
        op.add_column("raw_pages", sa.Column("dictionary_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "raw_pages", "raw_page_dictionaries", ["dictionary_id"], ["id"])


def downgrade() -> None:
    """Back to zlib only: zstd rows are decompressed and stored zlib again first."""
    import zlib

    from newsarchive.archive.migrations.frozen import RawPages

    bind = op.get_bind()
    reader = RawPages()
    # A batch of pages at a time, by id (each page leaves the zstd rows as it is rewritten).
    batch = sa.text("SELECT id, body, dictionary_id FROM raw_pages WHERE compression = 'zstd' "
                    "ORDER BY id LIMIT :n")
    update = sa.text("UPDATE raw_pages SET compression = 'zlib', body = :b WHERE id = :id")
    while pages := bind.execute(batch, {"n": DOWNGRADE_BATCH}).all():
        bind.execute(update, [
            {"b": zlib.compress(reader.decompress(bind, body, "zstd", dictionary_id), 6),
             "id": page_id} for page_id, body, dictionary_id in pages])
    op.execute("ALTER TABLE raw_pages DROP COLUMN dictionary_id")  # and its foreign key
    op.drop_index(op.f("ix_raw_page_dictionaries_host"), table_name="raw_page_dictionaries")
    op.drop_table("raw_page_dictionaries")
