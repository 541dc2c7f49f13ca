"""BG/NBD and Gamma-Gamma: the published CDNOW estimates (Fader, Hardie and Lee 2005:
r=0.243, alpha=4.414, a=0.793, b=2.426; Fader, Hardie and Berger 2005: p=6.25, q=3.74,
gamma=15.44) are used as the TRUE values of data drawn from the models, because the CDNOW
sample itself is not available offline; the fits must recover them within their intervals.
"""

from __future__ import annotations

import numpy as np
import pytest

from salestrack.analytics.insights.clv import (
    expected_order_value,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    simulate_bgnbd,
    simulate_gamma_gamma,
)

CDNOW_BGNBD = (0.243, 4.414, 0.793, 2.426)
CDNOW_GG = (6.25, 3.74, 15.44)
WEEKS = 39.0  # the CDNOW calibration period


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2005)
    x, t_x, big_t = simulate_bgnbd(rng, 4714, CDNOW_BGNBD, WEEKS)  # twice CDNOW's 2,357
    return x, t_x, big_t, simulate_gamma_gamma(rng, x, CDNOW_GG)


def test_bgnbd_recovers_the_cdnow_parameters(sample: tuple[np.ndarray, ...]) -> None:
    x, t_x, big_t, _ = sample
    fit = fit_bgnbd(x, t_x, big_t)
    assert fit.converged
    for name, truth in zip(fit.names, CDNOW_BGNBD, strict=True):
        assert fit.params[name].covers(truth), (name, fit.params[name], truth)


def test_gamma_gamma_recovers_the_cdnow_parameters(sample: tuple[np.ndarray, ...]) -> None:
    x, _, _, m_x = sample
    fit = fit_gamma_gamma(x, m_x)
    assert fit.converged
    for name, truth in zip(fit.names, CDNOW_GG, strict=True):
        assert fit.params[name].covers(truth), (name, fit.params[name], truth)
    # E[order value] for a customer with no history is the population mean p gamma / (q - 1)
    p, q, g = CDNOW_GG
    assert expected_order_value(np.array(CDNOW_GG), np.array([0.0]), np.array([np.nan]))[
        0
    ] == pytest.approx(p * g / (q - 1))


def test_expected_purchases_of_a_new_customer_match_simulation() -> None:
    # x = t_x = T = 0 turns FHL eq. 10 into E[X(t)] of a new customer; compare with the mean
    # number of purchases drawn from the process itself.
    rng = np.random.default_rng(7)
    x, _, _ = simulate_bgnbd(rng, 200_000, CDNOW_BGNBD, 52.0)
    zero = np.zeros(1)
    formula = expected_purchases(np.array(CDNOW_BGNBD), 52.0, zero, zero, zero)[0]
    assert formula == pytest.approx(x.mean(), rel=0.03)
