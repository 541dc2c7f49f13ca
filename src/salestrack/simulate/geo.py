"""Where the simulated accounts are: cities with coordinates, countries and IANA time zones.

Time zones span the Americas, Europe and Asia-Pacific (both hemispheres, so daylight saving
time moves in both directions) so that "local hour of the prospect" really differs from UTC.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    country: str
    region: str
    latitude: float
    longitude: float
    time_zone: str
    territory: str  # the sales team territory that mostly covers it


CITIES: tuple[City, ...] = (
    City("New York", "US", "North America", 40.7128, -74.0060, "America/New_York", "Americas"),
    City("Boston", "US", "North America", 42.3601, -71.0589, "America/New_York", "Americas"),
    City("Chicago", "US", "North America", 41.8781, -87.6298, "America/Chicago", "Americas"),
    City("Denver", "US", "North America", 39.7392, -104.9903, "America/Denver", "Americas"),
    City(
        "San Francisco",
        "US",
        "North America",
        37.7749,
        -122.4194,
        "America/Los_Angeles",
        "Americas",
    ),
    City("Toronto", "CA", "North America", 43.6532, -79.3832, "America/Toronto", "Americas"),
    City("São Paulo", "BR", "South America", -23.5505, -46.6333, "America/Sao_Paulo", "Americas"),
    City("London", "GB", "Europe", 51.5074, -0.1278, "Europe/London", "EMEA"),
    City("Berlin", "DE", "Europe", 52.5200, 13.4050, "Europe/Berlin", "EMEA"),
    City("Paris", "FR", "Europe", 48.8566, 2.3522, "Europe/Paris", "EMEA"),
    City("Madrid", "ES", "Europe", 40.4168, -3.7038, "Europe/Madrid", "EMEA"),
    City("Stockholm", "SE", "Europe", 59.3293, 18.0686, "Europe/Stockholm", "EMEA"),
    City("Tokyo", "JP", "Asia Pacific", 35.6762, 139.6503, "Asia/Tokyo", "APAC"),
    City("Singapore", "SG", "Asia Pacific", 1.3521, 103.8198, "Asia/Singapore", "APAC"),
    City("Mumbai", "IN", "Asia Pacific", 19.0760, 72.8777, "Asia/Kolkata", "APAC"),
    City("Sydney", "AU", "Asia Pacific", -33.8688, 151.2093, "Australia/Sydney", "APAC"),
)

TERRITORIES: tuple[tuple[str, str], ...] = (
    ("Americas", "America/New_York"),
    ("EMEA", "Europe/Berlin"),
    ("APAC", "Asia/Singapore"),
)

ZONES: tuple[str, ...] = tuple(dict.fromkeys(c.time_zone for c in CITIES))


def zone_code(name: str) -> int:
    """Index of a time zone in :data:`ZONES` (the code the generators carry around)."""
    return ZONES.index(name)


def team_territory(team_index: int) -> tuple[str, str]:
    """(territory, team time zone) of the n-th team; territories repeat past the third team."""
    return TERRITORIES[team_index % len(TERRITORIES)]
