"""Failure kinds: ``failures.kind`` holds a stable code (robots, gone, http_status, not_article,
...) beside the human reason, so that statistics group by it instead of re-parsing sentences.
Existing rows get the kind their reason text stands for.

Revision ID: 0006
Revises: 0005 Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_failures_kind"
# The reasons newsarchive wrote before kinds existed, first match wins (a copy, never the
# live code: what this migration does must not change when the code does). PostgreSQL's LIKE
# is case-sensitive, SQLite's is not for ASCII; no two patterns differ only in case.
KINDS_BY_REASON: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("continuation", ("http%://%: %",)),
    ("robots", ("forbidden by robots.txt",)),
    ("gone", ("page says: %", "HTTP 404", "HTTP 410")),
    ("not_modified", ("HTTP 304 but no stored body",)),
    ("http_status", ("section page HTTP %", "HTTP %")),
    ("feed", ("section page: sitemap or feed: %", "sitemap or feed: %")),
    ("not_article", ("%not an article%",)),
    ("no_title", ("%no title found%",)),
    ("extractor_crash", ("extractor failed: %",)),
    ("extractor_died", ("extractor process died%",)),
    ("store", ("writer process died%",)),
    ("timeout", ("%TimeoutError%", "%timed out%")),
    ("network", ("DNSLookupError%", "ConnectionRefusedError%", "ConnectError%",
                 "ConnectionLost%", "ConnectionDone%", "ResponseFailed%",
                 "ResponseNeverReceived%", "TunnelError%")),
    ("empty", ("%no bytes%", "%empty page%", "%no HTML%", "%HTML document is empty%")),
    ("no_content", ("%no article body%", "%no body block%", "no article extracted")),
)


def _kind_case() -> str:
    branches = []
    for kind, patterns in KINDS_BY_REASON:
        test = " OR ".join("reason LIKE '" + p.replace("'", "''") + "'" for p in patterns)
        branches.append(f"WHEN {test} THEN '{kind}'")
    return "CASE " + " ".join(branches) + " ELSE 'other' END"


def upgrade() -> None:
    # SQLite adds a NOT NULL column only with a default; it stays there (unused by the code).
    op.add_column("failures", sa.Column("kind", sa.String(length=32), nullable=False,
                                        server_default="other"))
    op.execute(f"UPDATE failures SET kind = {_kind_case()}")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("failures", "kind", server_default=None)
    op.create_index(INDEX, "failures", ["kind"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="failures")
    with op.batch_alter_table("failures") as batch:
        batch.drop_column("kind")
