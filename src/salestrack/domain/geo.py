"""Distances on the Earth and the check-in rule for field visits.

A visit is *verified* when the rep's reported position is within ``radius_m`` of the account
and the phone's accuracy is no worse than the radius (a 2 km accuracy circle cannot prove a
visit to a 200 m radius). Without an account location, or without a check-in, it is
unverified: ``None``, flagged, never rejected.
"""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), the usual haversine constant
DEFAULT_RADIUS_M = 200.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (spherical Earth)."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi, dlambda = phi2 - phi1, radians(lon2 - lon1)
    h = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(h)))


def verified(distance_m: float | None, accuracy_m: float | None, radius_m: float) -> bool | None:
    """True within the radius (with good enough accuracy), False outside, None when unknown."""
    if distance_m is None:
        return None
    if accuracy_m is not None and accuracy_m > radius_m:
        return False
    return distance_m <= radius_m
