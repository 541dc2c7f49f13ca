"""Simulated activities, written as a CRM export by ``simulate``, import through the generic
import into a store holding the rest of the same org: every row, with its owner and links."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from salestrack.capture.importer import import_file
from salestrack.capture.mapping import load_mapping
from salestrack.domain.actor import SYSTEM
from salestrack.simulate import SimulatedOrg, SimulationParams, simulate, write_activity_import
from salestrack.simulate.export import IMPORT_CSV, IMPORT_MAPPING
from salestrack.simulate.load import load_into_store
from salestrack.store.models import Account, Activity, ActivityType, Deal, User
from salestrack.store.uow import UnitOfWork


def _expected(org: SimulatedOrg) -> pd.DataFrame:
    """Per activity, straight from the simulated tables: type, status, owner, account, deal."""
    acts = org.tables["activities"]
    emails = org.tables["users"].set_index("id")["email"]
    accounts = org.tables["accounts"].set_index("id")["external_id"]
    deals = org.tables["deals"].set_index("id")["external_id"]
    frame = pd.DataFrame(
        {
            "key": acts["external_id"],
            "type": acts["type_key"],
            "status": acts["status"],
            "owner": acts["owner_id"].map(emails),
            "account": acts["account_id"].map(accounts),
            "deal": acts["deal_id"].map(deals),
        }
    )
    return frame.astype(object).where(frame.notna(), None).sort_values("key").reset_index(drop=True)


def test_simulated_activities_import_with_their_links(
    engine: Engine, uow: UnitOfWork, tmp_path: Path
) -> None:
    org = simulate(SimulationParams.for_activities(3_000, seed=11, teams=2, reps=6, months=3))
    write_activity_import(org, tmp_path)
    parents = {name: frame for name, frame in org.tables.items() if name != "activities"}
    load_into_store(engine, SimulatedOrg(org.params, parents))
    mapping = load_mapping(tmp_path / IMPORT_MAPPING)

    report = import_file(uow, SYSTEM, mapping, tmp_path / IMPORT_CSV)
    total = len(org.tables["activities"])
    assert (report.read, report.created, report.rejected) == (total, total, 0), report.rejects[:3]
    account, deal = aliased(Account), aliased(Deal)
    with uow(SYSTEM):
        rows = uow.session.execute(
            select(
                Activity.external_id,
                ActivityType.key,
                Activity.status,
                User.email,
                account.external_id,
                deal.external_id,
            )
            .join(ActivityType, Activity.type_id == ActivityType.id)
            .join(User, Activity.owner_id == User.id)
            .outerjoin(account, Activity.account_id == account.id)
            .outerjoin(deal, Activity.deal_id == deal.id)
        ).all()
    stored = pd.DataFrame(rows, columns=["key", "type", "status", "owner", "account", "deal"])
    stored = stored.astype(object).where(stored.notna(), None)
    pd.testing.assert_frame_equal(stored.sort_values("key").reset_index(drop=True), _expected(org))

    again = import_file(uow, SYSTEM, mapping, tmp_path / IMPORT_CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, total)
