"""The engine side of the insights: SQL on the DuckDB warehouse that turns the event log into
small per-entity frames (per deal, per touch, per customer, per hour cell), the lifetimes
pattern. Models downstream consume only these frames, never the raw tables.

Scope is applied in exactly one place, :func:`scoped_source`: it shadows each analytics table
with a temporary view limited to what the actor may see (the rules of ``store/scope.py``), so
every query below is written against plain table names and cannot forget the scope.

Two definitions are the metrics registry's, compiled from its Ibis expressions rather than
written again here: which order is an account's first (:func:`orders_sql`) and which amounts
are in the report's currency (:func:`priced_sql`). Money is added up in one currency, as the
registry does; counts (orders, closed deals, customers) take every row, whatever its currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import ibis
import pandas as pd

from salestrack.analytics.metrics.core import DEFAULT_CURRENCY, in_currency
from salestrack.analytics.metrics.facts import is_first_order
from salestrack.domain.actor import Actor

SELLING = "selling"
FIRST_MEETING_TYPES = ("meeting", "visit", "demo")
FAST_FOLLOW_UP_HOURS = 24.0
MONTH_DAYS = 365.25 / 12
WEEK_SECONDS = 7 * 86_400.0
ORDER_COLUMNS = {
    "id": "int64",
    "account_id": "int64",
    "amount": "decimal(18, 2)",
    "currency": "string",
    "ordered_at": "timestamp",
}


@dataclass
class Source:
    """An open warehouse connection whose analytics tables are already scoped to ``actor``."""

    conn: duckdb.DuckDBPyConnection
    actor: Actor | None

    def frame(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.conn.execute(sql, params or []).fetchdf()


def _visibility(actor: Actor | None, catalog: str) -> dict[str, str]:
    """WHERE clauses per table, mirroring ``store.scope.visible`` (admin and system: none)."""
    if actor is None or actor.is_admin:
        return {}
    users = f'"{catalog}".main.users'
    me = int(actor.id) if actor.id is not None else -1

    def own(column: str) -> str:
        if actor.is_manager and actor.team_id is not None:
            return f"{column} IN (SELECT id FROM {users} WHERE team_id = {int(actor.team_id)})"
        return f"{column} = {me}"

    accounts_of = f'(SELECT id FROM "{catalog}".main.accounts WHERE {own("owner_id")})'
    team = f" OR team_id = {int(actor.team_id)}" if actor.team_id is not None else ""
    return {
        "users": f"id = {me}{team}",
        "accounts": own("owner_id"),
        "contacts": f"{own('owner_id')} OR account_id IN {accounts_of}",
        "deals": f"{own('owner_id')} OR account_id IN {accounts_of}",
        "activities": f"{own('owner_id')} OR account_id IN {accounts_of}",
        "leads": own("owner_id"),
        "orders": f"account_id IN {accounts_of}",
        "satisfaction_responses": f"{own('rep_id')} OR account_id IN {accounts_of}",
        "enrollments": own("owner_id"),
    }


def scoped_source(conn: duckdb.DuckDBPyConnection, actor: Actor | None) -> Source:
    """THE scope function of the insights: every table an insight reads is replaced, for this
    connection, by a temporary view holding only the rows ``actor`` may see.

    When the warehouse-wide scope of the metrics registry lands, it plugs in here.
    """
    catalog = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    for table, where in _visibility(actor, str(catalog)).items():
        conn.execute(
            f'CREATE OR REPLACE TEMP VIEW "{table}" AS '
            f'SELECT * FROM "{catalog}".main."{table}" WHERE {where}'
        )
    return Source(conn, actor)


@lru_cache(maxsize=32)
def orders_sql(currency: str) -> str:
    """DuckDB SQL for every order with the registry's two flags: ``is_first`` (the account's
    first order by :func:`~salestrack.analytics.metrics.facts.is_first_order`, over all its
    orders whatever their currency) and ``in_currency`` (its amount is in ``currency``).

    Compiled from the metrics' own expressions, so the insights cannot drift from them. It reads
    whatever ``orders`` names where it runs: the actor's scoped view under :func:`scoped_source`
    (scope keeps or drops an account's orders together, so ranks are those of the registry).
    """
    o = ibis.table(ORDER_COLUMNS, name="orders")
    ranked = o.select(
        "id",
        "account_id",
        "currency",
        "ordered_at",
        amount=o.amount.cast("float64"),
        is_first=is_first_order(o),
        in_currency=in_currency(o, currency),
    )
    return str(ibis.to_sql(ranked, dialect="duckdb"))


@lru_cache(maxsize=32)
def priced_sql(table: str, currency: str) -> str:
    """DuckDB SQL of ``table``'s ids and ``in_currency``: whether each row's amount is in
    ``currency``, by the registry's test (:func:`~salestrack.analytics.metrics.core.in_currency`).
    """
    t = ibis.table({"id": "int64", "currency": "string"}, name=table)
    return str(ibis.to_sql(t.select("id", in_currency=in_currency(t, currency)), dialect="duckdb"))


_CLOSED = """
closed AS (
    SELECT d.id AS deal_id, d.owner_id, d.amount::DOUBLE AS amount, d.currency, d.created_at,
           d.closed_at, d.is_repeat, s.kind = 'won' AS won,
           coalesce(a.segment, 'unknown') AS segment
    FROM deals d
    JOIN stages s ON s.id = d.stage_id
    LEFT JOIN accounts a ON a.id = d.account_id
    WHERE s.kind IN ('won', 'lost') AND d.closed_at IS NOT NULL
),
acts AS (
    SELECT act.deal_id, t.key AS type_key, t.category, act.purpose, act.started_at
    FROM activities act
    JOIN activity_types t ON t.id = act.type_id
    JOIN closed c ON c.deal_id = act.deal_id
    WHERE act.status = 'done' AND act.started_at IS NOT NULL AND act.started_at <= c.closed_at
)"""


def deal_frame(src: Source, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """One row per closed deal: outcome, amount and currency, whether the amount is in
    ``currency`` (``in_currency``: only those amounts may be added up), segment, owner, the
    number of done activities before the close of each type (``type:call`` ...) and purpose
    (``purpose:demo`` ...), and the delay from the first meeting to the first follow-up after it.

    The first meeting is the earliest activity with purpose first_meeting, or failing that the
    earliest meeting, visit or demo; ``fast_follow_up`` means a follow-up within 24 hours.
    """
    kinds = ", ".join(f"'{k}'" for k in FIRST_MEETING_TYPES)
    base = src.frame(
        f"""WITH {_CLOSED},
        priced AS ({priced_sql("deals", currency)}),
        firsts AS (
            SELECT deal_id, coalesce(
                min(started_at) FILTER (WHERE purpose = 'first_meeting'),
                min(started_at) FILTER (WHERE type_key IN ({kinds}))) AS first_meeting_at
            FROM acts GROUP BY deal_id
        ),
        follow AS (
            SELECT a.deal_id, min(a.started_at) AS follow_up_at
            FROM acts a JOIN firsts f USING (deal_id)
            WHERE a.purpose = 'follow_up' AND a.started_at > f.first_meeting_at
            GROUP BY a.deal_id
        )
        SELECT c.*, coalesce(p.in_currency, FALSE) AS in_currency, f.first_meeting_at,
               date_diff('second', f.first_meeting_at, w.follow_up_at) / 3600.0
                   AS follow_up_delay_h
        FROM closed c JOIN priced p ON p.id = c.deal_id
        LEFT JOIN firsts f USING (deal_id) LEFT JOIN follow w USING (deal_id)
        ORDER BY c.deal_id"""
    )
    counts = src.frame(
        f"""WITH {_CLOSED}
        SELECT deal_id, 'type:' || type_key AS feature, count(*) AS n FROM acts GROUP BY ALL
        UNION ALL
        SELECT deal_id, 'purpose:' || purpose, count(*) FROM acts
        WHERE purpose IS NOT NULL GROUP BY ALL"""
    )
    wide = counts.pivot_table(index="deal_id", columns="feature", values="n", fill_value=0)
    out = base.join(wide.astype("int64"), on="deal_id")
    feature_cols = list(wide.columns)
    out[feature_cols] = out[feature_cols].fillna(0).astype("int64")
    out["won"] = out["won"].astype(bool)
    out["in_currency"] = out["in_currency"].astype(bool)
    out["fast_follow_up"] = (out["follow_up_delay_h"] <= FAST_FOLLOW_UP_HOURS).fillna(False)
    return out


def touch_frame(src: Source) -> pd.DataFrame:
    """Done selling activities of closed deals before the close, in time order: the journeys
    that attribution models read (deal_id, started_at, channel, hours_before_close)."""
    return src.frame(
        f"""WITH {_CLOSED}
        SELECT a.deal_id, a.started_at, a.type_key AS channel,
               date_diff('second', a.started_at, c.closed_at) / 3600.0 AS hours_before_close
        FROM acts a JOIN closed c USING (deal_id)
        WHERE a.category = '{SELLING}'
        ORDER BY a.deal_id, a.started_at"""
    )


def outcome_by_local_time(src: Source, type_key: str, outcome: str) -> pd.DataFrame:
    """Done outbound activities of one type per local hour x ISO weekday of the prospect
    (contact's, else account's, else lead's time zone) and how many had ``outcome``."""
    return src.frame(
        """SELECT hour(local_at) AS hour, isodow(local_at) AS weekday,
                  count(*) AS n, count(*) FILTER (WHERE outcome = ?) AS hits
        FROM (
            SELECT timezone(coalesce(c.time_zone, a.time_zone, l.time_zone, 'UTC'),
                            act.started_at::TIMESTAMPTZ) AS local_at, act.outcome
            FROM activities act
            JOIN activity_types t ON t.id = act.type_id
            LEFT JOIN contacts c ON c.id = act.contact_id
            LEFT JOIN accounts a ON a.id = act.account_id
            LEFT JOIN leads l ON l.id = act.lead_id
            WHERE t.key = ? AND act.status = 'done' AND act.started_at IS NOT NULL
              AND act.direction = 'outbound'
        ) GROUP BY ALL ORDER BY hour, weekday""",
        [outcome, type_key],
    )


def order_frame(src: Source, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """Every order with the registry's ``is_first`` and ``in_currency`` flags
    (:func:`orders_sql`), in each account's order."""
    return src.frame(
        f"""WITH ranked AS ({orders_sql(currency)})
        SELECT account_id, amount, currency, ordered_at, is_first,
               coalesce(in_currency, FALSE) AS in_currency
        FROM ranked ORDER BY account_id, ordered_at, id"""
    )


def customer_frame(src: Source, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """One row per customer (account with an order): the summary the CLV models read.

    Counts and times take every order: ``orders``; ``frequency``, the repeat orders (every order
    but the registry's first, so two orders on one day are two purchases); ``recency`` and
    ``age``, weeks from the first order to the last one and to the end of the data. Money takes
    the orders in ``currency`` only: ``orders_in_currency``, ``total_spend`` (their sum),
    ``repeat_orders_in_currency`` and ``repeat_value`` (the mean of those repeat orders).
    """
    return src.frame(
        f"""WITH ranked AS ({orders_sql(currency)}),
        ends AS (SELECT max(ordered_at) AS end_at FROM ranked)
        SELECT r.account_id, count(*) AS orders,
               count(*) FILTER (WHERE r.in_currency) AS orders_in_currency,
               sum(r.amount) FILTER (WHERE r.in_currency) AS total_spend,
               min(r.ordered_at) AS first_at, max(r.ordered_at) AS last_at,
               count(*) FILTER (WHERE NOT r.is_first) AS frequency,
               date_diff('second', min(r.ordered_at), max(r.ordered_at)) / {WEEK_SECONDS}
                   AS recency,
               date_diff('second', min(r.ordered_at), any_value(e.end_at)) / {WEEK_SECONDS}
                   AS age,
               count(*) FILTER (WHERE r.in_currency AND NOT r.is_first)
                   AS repeat_orders_in_currency,
               avg(r.amount) FILTER (WHERE r.in_currency AND NOT r.is_first) AS repeat_value
        FROM ranked r CROSS JOIN ends e
        GROUP BY r.account_id ORDER BY r.account_id"""
    )


def cohort_frame(src: Source) -> pd.DataFrame:
    """Customers per first-order month (the registry's first order) and how many of them
    ordered k months later; counts only, so the currency flag goes unused."""
    return src.frame(
        f"""WITH ranked AS ({orders_sql(DEFAULT_CURRENCY)}),
        firsts AS (SELECT account_id, date_trunc('month', ordered_at) AS cohort
                   FROM ranked WHERE is_first),
        active AS (
            SELECT DISTINCT r.account_id, f.cohort,
                   date_diff('month', f.cohort, date_trunc('month', r.ordered_at)) AS month
            FROM ranked r JOIN firsts f USING (account_id)
        )
        SELECT cohort, month, count(*) AS customers FROM active GROUP BY ALL
        ORDER BY cohort, month"""
    )


def satisfaction_frame(src: Source) -> pd.DataFrame:
    """Every survey answer with the touch frequency of its account: done selling activities on
    the account per month of the activity record's span (``touches_per_month``)."""
    return src.frame(
        f"""WITH done AS (
            SELECT act.account_id, act.started_at
            FROM activities act JOIN activity_types t ON t.id = act.type_id
            WHERE act.status = 'done' AND t.category = '{SELLING}' AND act.started_at IS NOT NULL
        ),
        span AS (
            SELECT greatest(date_diff('second', min(started_at), max(started_at))
                            / 86400.0 / {MONTH_DAYS}, 1.0) AS months FROM done
        ),
        touches AS (SELECT account_id, count(*) AS touches FROM done GROUP BY account_id)
        SELECT r.account_id, r.rep_id, r.kind, r.score, r.responded_at,
               coalesce(t.touches, 0) / s.months AS touches_per_month
        FROM satisfaction_responses r
        LEFT JOIN touches t USING (account_id) CROSS JOIN span s"""
    )


def enrollment_frame(src: Source) -> pd.DataFrame:
    """Per experiment and variant: enrollments and conversions (converted_at set)."""
    return src.frame(
        """SELECT e.experiment_id, x.name AS experiment, e.variant, count(*) AS n,
                  count(e.converted_at) AS converted
        FROM enrollments e JOIN experiments x ON x.id = e.experiment_id
        WHERE e.variant IS NOT NULL GROUP BY ALL ORDER BY e.experiment_id, e.variant"""
    )


def activity_log_frame(src: Source) -> pd.DataFrame:
    """Per owner and activity category: done activities, how many had their outcome logged
    within 24 hours of completion, and the time spent (seconds)."""
    return src.frame(
        """SELECT act.owner_id, t.category, count(*) AS done,
                  count(*) FILTER (WHERE act.outcome IS NOT NULL AND act.logged_at IS NOT NULL
                      AND act.logged_at <= coalesce(act.completed_at, act.started_at)
                                           + INTERVAL 24 HOUR) AS logged_24h,
                  coalesce(sum(act.duration_s), 0)::DOUBLE AS seconds,
                  coalesce(sum(act.duration_s * act.duration_s), 0)::DOUBLE AS seconds_sq
        FROM activities act JOIN activity_types t ON t.id = act.type_id
        WHERE act.status = 'done' GROUP BY ALL ORDER BY act.owner_id, t.category"""
    )


def rep_frame(src: Source) -> pd.DataFrame:
    """Reps' names and teams, for labels."""
    return src.frame("SELECT id AS rep_id, name, team_id FROM users ORDER BY id")


def data_as_of(src: Source) -> pd.Timestamp | None:
    """The latest activity or order time in scope: the end of the observed record."""
    row = src.conn.execute(
        "SELECT greatest((SELECT max(started_at) FROM activities), "
        "(SELECT max(ordered_at) FROM orders))"
    ).fetchone()
    return pd.Timestamp(row[0]) if row and row[0] is not None else None


def last_touch_frame(src: Source) -> pd.DataFrame:
    """Per customer (account with an order): days from its last done selling activity to the
    end of the record (NULL when it was never touched)."""
    return src.frame(
        f"""WITH ends AS (
            SELECT greatest((SELECT max(started_at) FROM activities),
                            (SELECT max(ordered_at) FROM orders)) AS end_at
        ),
        last_touch AS (
            SELECT act.account_id, max(act.started_at) AS last_at
            FROM activities act JOIN activity_types t ON t.id = act.type_id
            WHERE act.status = 'done' AND t.category = '{SELLING}' GROUP BY act.account_id
        )
        SELECT o.account_id,
               date_diff('second', l.last_at, e.end_at) / 86400.0 AS days_since_touch
        FROM (SELECT DISTINCT account_id FROM orders) o
        LEFT JOIN last_touch l USING (account_id) CROSS JOIN ends e
        ORDER BY o.account_id"""
    )
