"""Orders from a shop's invoice-line export (the UCI Online Retail II layout).

Repeat-customer analysis needs one order per purchase and one account per customer. The rules,
each counted in the report:

- an order is one invoice of one customer; its amount is the sum of Quantity x Price of its
  kept lines, its time the invoice time (Europe/London local time, stored in UTC), currency GBP;
- lines without a Customer ID are skipped: there is no account to attach them to;
- cancellation invoices (number starting with C) are skipped: they reverse an earlier sale
  (their lines carry negative quantities) and are not purchases;
- other lines with a quantity of zero or less are stock adjustments (damaged, lost), skipped;
- one account per Customer ID (external id = the Customer ID, region = the Country column).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salestrack.capture.importer import ImportReport, Progress, import_chunks
from salestrack.capture.mapping import parse_mapping
from salestrack.capture.reader import RawChunk, check_encoding
from salestrack.domain.actor import Actor
from salestrack.errors import ImportRowError
from salestrack.store.uow import UnitOfWork

SOURCE = "retail"
COLUMNS = ("Invoice", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country")
TIME_ZONE = "Europe/London"


def order_lines(path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """The lines that make orders, and how many lines each rule skipped."""
    check_encoding(path, "utf-8")
    lines = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in COLUMNS if c not in lines.columns]
    if missing:
        raise ImportRowError(1, missing[0], "column is missing from the header")
    lines["line"] = np.arange(2, len(lines) + 2)  # no quoted newlines in this layout
    quantity = pd.to_numeric(lines["Quantity"], errors="coerce")
    price = pd.to_numeric(lines["Price"], errors="coerce")
    no_customer = lines["Customer ID"].str.strip() == ""
    cancelled = lines["Invoice"].str.upper().str.startswith("C") & ~no_customer
    adjustment = (quantity <= 0) & ~no_customer & ~cancelled
    unreadable = (quantity.isna() | price.isna()) & ~no_customer & ~cancelled
    skipped = {
        "lines without a customer": int(no_customer.sum()),
        "lines of cancellation invoices": int(cancelled.sum()),
        "lines with zero or negative quantity": int(adjustment.sum()),
        "lines with an unreadable quantity or price": int(unreadable.sum()),
    }
    kept = lines[~(no_customer | cancelled | adjustment | unreadable)].copy()
    kept["value"] = quantity[kept.index] * price[kept.index]
    return kept, skipped


def _orders(kept: pd.DataFrame) -> pd.DataFrame:
    grouped = kept.groupby(["Invoice", "Customer ID"], sort=False)
    orders = grouped.agg(
        amount=("value", "sum"), ordered_at=("InvoiceDate", "min"), line=("line", "min")
    ).reset_index()
    orders["amount"] = orders["amount"].round(2).map(lambda v: f"{v:.2f}")
    orders["key"] = orders["Invoice"] + "/" + orders["Customer ID"]
    return orders


def _raw(frame: pd.DataFrame, lines: pd.Series) -> RawChunk:
    header = list(frame.columns)
    return RawChunk(header, frame.astype(str).to_numpy().tolist(), lines.tolist(), [])


def import_orders(
    uow: UnitOfWork,
    actor: Actor,
    paths: list[Path],
    *,
    dry_run: bool = False,
    atomic: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Accounts per customer, then one order per invoice and customer, from each file."""
    report = ImportReport()
    options: dict[str, Any] = {"dry_run": dry_run, "atomic": atomic}
    for path in paths:
        kept, skipped = order_lines(path)
        customers = kept.groupby("Customer ID", sort=False).agg(
            country=("Country", "first"), line=("line", "min")
        )
        customers = customers.reset_index()
        customers["name"] = "Customer " + customers["Customer ID"]
        accounts = parse_mapping(
            {
                "entity": "accounts",
                "source": SOURCE,
                "key": ["Customer ID"],
                "columns": {"name": "name", "region": "country"},
            }
        )
        part = import_chunks(
            uow, actor, accounts, iter([_raw(customers, customers["line"])]), **options
        )
        report.notes.append(
            f"accounts: {part.created} created, {part.unchanged + part.updated} already there"
        )
        orders = _orders(kept)
        mapping = parse_mapping(
            {
                "entity": "orders",
                "source": SOURCE,
                "key": ["key"],
                "columns": {
                    "account": "Customer ID",
                    "amount": "amount",
                    "ordered_at": "ordered_at",
                },
                "defaults": {"currency": "GBP"},
                "dates": {"formats": ["%Y-%m-%d %H:%M:%S"], "time_zone": TIME_ZONE},
            }
        )
        part = import_chunks(uow, actor, mapping, iter([_raw(orders, orders["line"])]), **options)
        report.merge(part)
        report.notes.append(f"{path.name}: {len(kept):,} invoice lines make {len(orders):,} orders")
        report.notes.extend(f"skipped {count:,} {rule}" for rule, count in skipped.items())
        if progress:
            progress(path.stat().st_size)
    return report
