"""The org and its market: teams, managers and reps, accounts with locations, their contacts.

Accounts are laid out in contiguous id blocks per owning rep, so "a random account of this rep"
is one vectorized draw. Each account gets an attention weight that decides how often it is
touched; that weight is independent of everything planted later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from salestrack.simulate.clock import DAY_US, epoch_us, to_timestamps
from salestrack.simulate.geo import CITIES, ZONES, team_territory, zone_code
from salestrack.simulate.params import SimulationParams

SOURCE = "simulation"
SEGMENTS: tuple[str, ...] = ("smb", "mid", "enterprise")
SEGMENT_SHARES = (0.5, 0.35, 0.15)
INDUSTRIES = (
    "Software",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Logistics",
    "Finance",
    "Education",
    "Energy",
)
FIRST = (
    "Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara",
    "Luca", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor",
    "Wen", "Yara", "Zoe",
)  # fmt: skip
LAST = (
    "Adams", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen",
    "Kowalski", "Lopez", "Müller", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka",
    "Novak", "Weber", "Young", "Zhang",
)  # fmt: skip
COMPANY_A = ("North", "Blue", "Summit", "Iron", "Bright", "Green", "Silver", "Cedar", "Delta")
COMPANY_B = ("Works", "Systems", "Labs", "Logistics", "Foods", "Health", "Energy", "Retail")
TITLES = ("CEO", "CFO", "Head of Operations", "IT Manager", "Procurement Lead", "VP Sales")


@dataclass
class People:
    """Frames of the org plus the per-row arrays the later generators draw from."""

    teams: pd.DataFrame
    users: pd.DataFrame
    accounts: pd.DataFrame
    contacts: pd.DataFrame
    rep_ids: NDArray[np.int64]
    account_zone: NDArray[np.int64]  # per account (index = id - 1), code into ZONES
    account_segment: NDArray[np.int64]  # code into SEGMENTS
    account_attention: NDArray[np.float64]
    contact_first: NDArray[np.int64]  # first contact id of each account
    contact_count: NDArray[np.int64]

    @property
    def account_owner(self) -> NDArray[np.int64]:
        return np.asarray(self.accounts["owner_id"].to_numpy(), dtype=np.int64)

    def accounts_of_rep(
        self, rng: np.random.Generator, rep_index: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """A uniformly drawn account id of each given rep (index into ``rep_ids``)."""
        per = int(len(self.account_zone) // len(self.rep_ids))
        return rep_index * per + rng.integers(0, per, size=len(rep_index)) + 1

    def contact_of(
        self, rng: np.random.Generator, account_id: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """A uniformly drawn contact id at each given account."""
        a = account_id - 1
        return self.contact_first[a] + (rng.random(len(a)) * self.contact_count[a]).astype(np.int64)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    return [f"{FIRST[f]} {LAST[g]}" for f, g in zip(first, last, strict=True)]


def _before_start(rng: np.random.Generator, start: date, n: int, max_days: int) -> pd.Series:
    """Creation times spread over the ``max_days`` before the simulated period."""
    offsets = rng.integers(1, max_days, size=n, dtype=np.int64) * DAY_US
    return to_timestamps(epoch_us(start) - offsets)


def make_people(rng: np.random.Generator, params: SimulationParams) -> People:
    """Teams (one manager each), reps spread round-robin over teams, accounts and contacts."""
    n_teams, n_reps = params.teams, params.reps
    territories = [team_territory(i) for i in range(n_teams)]
    team_names = [
        name if i < 3 else f"{name} {i // 3 + 1}" for i, (name, _) in enumerate(territories)
    ]
    teams = pd.DataFrame(
        {
            "id": np.arange(1, n_teams + 1, dtype=np.int64),
            "name": team_names,
            "manager_id": np.arange(1, n_teams + 1, dtype=np.int64),
            "time_zone": [zone for _, zone in territories],
            "holidays": ["[]"] * n_teams,
            "created_at": _before_start(rng, params.start, n_teams, 900),
        }
    )
    n_users = n_teams + n_reps
    rep_team = np.arange(n_reps) % n_teams
    user_team = np.concatenate([np.arange(n_teams), rep_team])
    ids = np.arange(1, n_users + 1, dtype=np.int64)
    names = _names(rng, n_users)
    users = pd.DataFrame(
        {
            "id": ids,
            "email": [
                f"{n.lower().replace(' ', '.')}.{i}@sim.salestrack.example"
                for n, i in zip(names, ids, strict=True)
            ],
            "name": names,
            "role": ["manager"] * n_teams + ["rep"] * n_reps,
            "team_id": user_team + 1,
            "password_hash": pd.Series([None] * n_users, dtype=object),
            "time_zone": [territories[t][1] for t in user_team],
            "locale": "en",
            "is_active": True,
            "created_at": _before_start(rng, params.start, n_users, 700),
        }
    )
    rep_ids = ids[n_teams:]
    accounts, zone, segment = _accounts(rng, params, rep_ids, rep_team, territories)
    count = 1 + rng.poisson(max(params.contacts_per_account - 1.0, 0.0), len(accounts))
    first = np.concatenate([[1], 1 + np.cumsum(count)[:-1]]).astype(np.int64)
    contacts = _contacts(rng, params, accounts, count)
    attention = rng.uniform(0.25, 1.75, len(accounts))
    return People(
        teams, users, accounts, contacts, rep_ids, zone, segment, attention, first,
        count.astype(np.int64),
    )  # fmt: skip


def _accounts(
    rng: np.random.Generator,
    params: SimulationParams,
    rep_ids: NDArray[np.int64],
    rep_team: NDArray[np.int64],
    territories: list[tuple[str, str]],
) -> tuple[pd.DataFrame, NDArray[np.int64], NDArray[np.int64]]:
    per = params.accounts_per_rep
    n = len(rep_ids) * per
    rep_index = np.repeat(np.arange(len(rep_ids)), per)
    territory = np.array([territories[t][0] for t in rep_team[rep_index]])
    city_territory = np.array([c.territory for c in CITIES])
    # 85% of a rep's accounts lie in the team's territory, the rest anywhere.
    home = rng.random(n) < 0.85
    city = rng.integers(0, len(CITIES), n)
    for name in np.unique(territory):
        inside = np.flatnonzero(city_territory == name)
        rows = np.flatnonzero(home & (territory == name))
        city[rows] = inside[rng.integers(0, len(inside), len(rows))]
    segment = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARES).astype(np.int64)
    tier_by_segment = np.array([["C", "B", "A"][s] for s in range(3)])
    tier = np.where(rng.random(n) < 0.8, tier_by_segment[segment], rng.choice(["A", "B", "C"], n))
    low = np.array([5.0, 200.0, 2000.0])[segment]
    high = np.array([200.0, 2000.0, 50000.0])[segment]
    employees = np.exp(rng.uniform(np.log(low), np.log(high))).astype(np.int64)
    zone = np.array([zone_code(CITIES[c].time_zone) for c in city], dtype=np.int64)
    ids = np.arange(1, n + 1, dtype=np.int64)
    names = [
        f"{COMPANY_A[a]}{COMPANY_B[b]} {i}"
        for a, b, i in zip(rng.integers(0, 9, n), rng.integers(0, 8, n), ids, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": names,
            "status": "prospect",
            "tier": tier,
            "industry": np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)],
            "segment": np.array(SEGMENTS)[segment],
            "employees": employees,
            "region": [CITIES[c].region for c in city],
            "address": [
                f"{10 + i % 190} Market Street, {CITIES[c].name}" for i, c in enumerate(city)
            ],
            "country": [CITIES[c].country for c in city],
            "latitude": np.round([CITIES[c].latitude for c in city] + rng.normal(0, 0.08, n), 6),
            "longitude": np.round([CITIES[c].longitude for c in city] + rng.normal(0, 0.08, n), 6),
            "time_zone": np.array(ZONES)[zone],
            "owner_id": rep_ids[rep_index],
            "source": SOURCE,
            "external_id": [f"sim-account-{i}" for i in ids],
            "created_at": _before_start(rng, params.start, n, 720),
        }
    )
    return frame, zone, segment


def _contacts(
    rng: np.random.Generator,
    params: SimulationParams,
    accounts: pd.DataFrame,
    count: NDArray[np.int64],
) -> pd.DataFrame:
    account_index = np.repeat(np.arange(len(accounts)), count)
    n = len(account_index)
    ids = np.arange(1, n + 1, dtype=np.int64)
    names = _names(rng, n)
    return pd.DataFrame(
        {
            "id": ids,
            "account_id": account_index + 1,
            "name": names,
            "email": [
                f"{nm.lower().replace(' ', '.')}.{i}@customer.example"
                for nm, i in zip(names, ids, strict=True)
            ],
            "phone": [f"+1-555-{i % 10_000:04d}" for i in ids],
            "title": np.array(TITLES)[rng.integers(0, len(TITLES), n)],
            "time_zone": accounts["time_zone"].to_numpy()[account_index],
            "owner_id": accounts["owner_id"].to_numpy()[account_index],
            "source": SOURCE,
            "external_id": [f"sim-contact-{i}" for i in ids],
            "created_at": accounts["created_at"].iloc[account_index].array,
        }
    )
