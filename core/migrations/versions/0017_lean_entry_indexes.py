"""publish entries keep only the indexes their reads use: no (module, status) index, claims indexed while held

Every write of an entry's status moved it in two indexes: the calendar's (module, date, job site, status, …)
and (module, status). Each read by status names a range of dates too, and the calendar's index answers it
(claims, retries, blocked entries, a site's published days; checked with EXPLAIN QUERY PLAN). A mapping change
moving a week's 111,125 timecards from To do to Non publishable took SQLite 1.35 s with both indexes and 0.91 s
without (medians of 4); inserting them, 0.70 s against 0.60 s.

`claim_token` is NULL but while a publish holds an entry: indexing only the claimed entries keeps every
lookup by token and every search for stale claims, and spares each insert its entry (a whole refresh rebuilt
that index over 1.25 million NULLs, 1.4–1.6 s).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HELD = "claim_token IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_publish_entry_status", table_name="publish_entry")
    op.drop_index("ix_publish_entry_claim", table_name="publish_entry")
    op.create_index("ix_publish_entry_claim", "publish_entry", ["claim_token"],
                    sqlite_where=sa.text(_HELD), postgresql_where=sa.text(_HELD))


def downgrade() -> None:
    op.drop_index("ix_publish_entry_claim", table_name="publish_entry")
    op.create_index("ix_publish_entry_claim", "publish_entry", ["claim_token"])
    op.create_index("ix_publish_entry_status", "publish_entry", ["module", "status"])
