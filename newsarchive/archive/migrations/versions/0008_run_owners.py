"""Run owners: ``crawl_runs.owner_pid``, ``owner_host`` and ``heartbeat_at`` say which process
runs a crawl and when it was last alive, so the next run can close a killed one (finish_reason
``killed``) instead of leaving it open forever. Runs written before have no owner.

Revision ID: 0008
Revises: 0007 Create Date: 2026-12-03 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place on SQLite: a batch copy would break the rows referring to crawl_runs.
    op.add_column("crawl_runs", sa.Column("owner_pid", sa.Integer(), nullable=True))
    op.add_column("crawl_runs", sa.Column("owner_host", sa.String(length=255), nullable=True))
    op.add_column("crawl_runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True),
                                          nullable=True))


def downgrade() -> None:
    for column in ("heartbeat_at", "owner_host", "owner_pid"):
        op.execute(f"ALTER TABLE crawl_runs DROP COLUMN {column}")
