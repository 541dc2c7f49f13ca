"""Blocked, stratified assignment: balanced within 2% over 10,000 units, and deterministic."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from salestrack.automation.experiments import assign_variant


@pytest.mark.parametrize("variants", [["A", "B"], ["control", "10am", "4pm"]])
def test_balanced_within_two_percent_over_ten_thousand(variants: list[str]) -> None:
    rng = random.Random(11)
    strata = [f"owner:{i}" for i in range(13)]
    seen: Counter[str] = Counter()
    total: Counter[str] = Counter()
    per_stratum: dict[str, Counter[str]] = {s: Counter() for s in strata}
    for _ in range(10_000):
        stratum = rng.choice(strata)  # arrivals in random order across reps
        variant = assign_variant("first-call-time", variants, stratum, seen[stratum])
        seen[stratum] += 1
        total[variant] += 1
        per_stratum[stratum][variant] += 1
    for variant in variants:
        assert abs(total[variant] / 10_000 - 1 / len(variants)) < 0.02
    for counts in per_stratum.values():  # within one rep, never more than a block apart
        assert max(counts.values()) - min(counts.values()) <= 2


def test_same_inputs_same_variant_and_order_is_not_predictable() -> None:
    first = [assign_variant("exp", ["A", "B"], "owner:1", n) for n in range(40)]
    again = [assign_variant("exp", ["A", "B"], "owner:1", n) for n in range(40)]
    other = [assign_variant("exp2", ["A", "B"], "owner:1", n) for n in range(40)]
    assert first == again
    assert first != other
    assert first != ["A", "B"] * 20 and first != ["B", "A"] * 20
