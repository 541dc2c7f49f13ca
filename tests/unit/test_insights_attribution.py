"""Attribution models against hand computations: a tiny Markov chain solved on paper, a
3-player Shapley game by the formula, rule-based splits, and credits adding up to the total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salestrack.analytics.insights.attribution import (
    MODELS,
    Journeys,
    attribute,
    coalition_values,
    credits,
    markov_removal_effects,
    shapley_values,
)


def _journeys(paths: list[list[str]], won: list[bool], value: list[float]) -> Journeys:
    deals = pd.DataFrame(
        {"deal_id": range(len(paths)), "won": won, "amount": value, "in_currency": True}
    )
    rows = [
        (d, pd.Timestamp("2025-01-01") + pd.Timedelta(days=i), c, 24.0 * (len(p) - i - 1))
        for d, p in enumerate(paths)
        for i, c in enumerate(p)
    ]
    touches = pd.DataFrame(rows, columns=["deal_id", "started_at", "channel", "hours_before_close"])
    return Journeys.from_frames(deals, touches)


def test_markov_removal_effect_on_a_tiny_chain() -> None:
    # Journeys: A>B converts, A fails, B converts. By hand: start->A 2/3, start->B 1/3,
    # A->B 1/2, A->null 1/2, B->conv 1. P = 2/3 * 1/2 + 1/3 = 2/3.
    # Without A: only start->B converts: P = 1/3, effect 1 - (1/3)/(2/3) = 1/2.
    # Without B: nothing converts: effect 1. Shares 1/3 and 2/3 of the 2 conversions.
    j = _journeys([["A", "B"], ["A"], ["B"]], [True, False, True], [1.0, 0.0, 1.0])
    base, effects = markov_removal_effects(j)
    assert base == pytest.approx(2 / 3)
    assert effects == pytest.approx([0.5, 1.0])
    assert credits(j, "markov", j.converted.astype(float)) == pytest.approx([2 / 3, 4 / 3])


def test_shapley_values_of_a_three_player_game_by_hand() -> None:
    # v over masks (bit 0 = A, bit 1 = B, bit 2 = C): {}, A, B, AB, C, AC, BC, ABC.
    v = np.array([0.0, 10.0, 20.0, 40.0, 0.0, 10.0, 30.0, 60.0])
    # phi_A = 1/3*10 + 1/6*20 + 1/6*10 + 1/3*30 = 55/3, phi_B = 100/3, phi_C = 25/3 (by hand).
    assert shapley_values(v, 3) == pytest.approx([55 / 3, 100 / 3, 25 / 3])


def test_shapley_attribution_splits_each_win_over_its_distinct_channels() -> None:
    # v(S) = value of journeys whose channels all lie in S is a sum of unanimity games, so the
    # Shapley value gives each won journey's value equally to its distinct channels.
    paths = [["A", "B", "A"], ["C"], ["B", "C"], ["A", "C", "B"], ["B"]]
    won, value = [True, True, False, True, True], [90.0, 50.0, 70.0, 30.0, 20.0]
    j = _journeys(paths, won, value)
    expected = {"A": 45 + 10, "B": 45 + 10 + 20, "C": 50 + 10}
    shapley = credits(j, "shapley", j.value)
    assert dict(zip(j.channels, shapley, strict=True)) == pytest.approx(expected)
    assert coalition_values(j, j.value)[-1] == pytest.approx(190.0)


def test_rule_based_splits_by_hand() -> None:
    # One won journey A (14 days before close), B (7 days), C (at close), worth 100.
    j = Journeys(
        journey=np.array([0, 0, 0]),
        channel=np.array([0, 1, 2]),
        hours_before_close=np.array([336.0, 168.0, 0.0]),
        converted=np.array([True]),
        value=np.array([100.0]),
        channels=("A", "B", "C"),
    )
    assert credits(j, "first_touch", j.value) == pytest.approx([100, 0, 0])
    assert credits(j, "last_touch", j.value) == pytest.approx([0, 0, 100])
    assert credits(j, "linear", j.value) == pytest.approx([100 / 3] * 3)
    assert credits(j, "position_based", j.value) == pytest.approx([40, 20, 40])
    # half-life 7 days: weights 1/4, 1/2, 1 -> divided by 7/4
    assert credits(j, "time_decay", j.value) == pytest.approx([100 / 7, 200 / 7, 400 / 7])


def test_every_model_credits_add_up_to_the_total() -> None:
    rng = np.random.default_rng(5)
    paths = [list(rng.choice(list("ABCDE"), size=rng.integers(1, 7))) for _ in range(300)]
    won = list(rng.random(300) < 0.4)
    value = list(rng.lognormal(8, 1, 300))
    j = _journeys(paths, won, value)
    result = attribute(j, bootstrap=20)
    total = sum(v for v, w in zip(value, won, strict=True) if w)
    assert result.total == pytest.approx(total)
    for model in MODELS:
        assert sum(e.value for e in result.credits[model].values()) == pytest.approx(total)
        for e in result.credits[model].values():
            assert e.low <= e.value <= e.high or e.value == 0
    deals = attribute(j, by="deals", bootstrap=0)
    for model in MODELS:
        assert sum(e.value for e in deals.credits[model].values()) == pytest.approx(sum(won))
