"""The bulk load keeps a creation time the rows bring and stamps the rows that bring none.

An import that knows when a record was created in its source (a CRM's creation date) must not
have it replaced by the time of the load, on SQLite (executemany) and PostgreSQL (COPY) alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, select

from salestrack.domain.clock import FixedClock
from salestrack.store.bulk import bulk_insert
from salestrack.store.models import Account

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_given_created_at_wins_and_missing_ones_are_now(engine: Engine) -> None:
    frame = pd.DataFrame(
        {
            "name": ["Old customer", "New prospect"],
            "status": ["customer", "prospect"],
            "time_zone": ["UTC", "UTC"],
            "source": ["crm", "crm"],
            "external_id": ["a1", "a2"],
            "created_at": pd.to_datetime(["2019-05-04 10:30", None]).tz_localize("UTC"),
        }
    )
    bulk_insert(engine, "accounts", frame, clock=FixedClock(NOW))
    with engine.connect() as conn:
        got = dict(
            conn.execute(
                select(Account.external_id, Account.created_at).where(Account.source == "crm")
            ).all()
        )
    assert got == {"a1": datetime(2019, 5, 4, 10, 30, tzinfo=UTC), "a2": NOW}
