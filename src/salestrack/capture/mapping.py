"""The import mapping: how the columns of someone else's file become salestrack fields.

A mapping is a small TOML file (documented in ``docs/import-mapping.md``): which entity the
file holds, which column feeds which field, value maps (stage, outcome, type, owner names),
date formats with the source time zone, and the natural key used to recognise a row again.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from salestrack.errors import ValidationFailed
from salestrack.services.import_specs import SPECS, accepted_fields

DATE_FIELDS = frozenset(
    {"started_at", "due_at", "ordered_at", "created_at", "closed_at", "expected_close"}
)


@dataclass(frozen=True)
class Mapping:
    """A parsed, checked mapping; build it with :func:`load_mapping` or :func:`parse_mapping`."""

    entity: str
    key: tuple[str, ...]
    columns: dict[str, str]  # field -> source column
    source: str = "import"
    format: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ","
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    time_zone: str = "UTC"
    owner_by: str = "email"
    link_source: str | None = None
    automation: bool = True

    @property
    def needed_columns(self) -> list[str]:
        """Every source column the mapping reads (each must be in the file's header)."""
        return list(dict.fromkeys([*self.key, *self.columns.values()]))


def _table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise ValidationFailed(name, "must be a table")
    return value


def parse_mapping(doc: dict[str, Any]) -> Mapping:
    """Check a mapping document and say which setting is wrong and why."""
    entity = doc.get("entity")
    if entity not in SPECS:
        raise ValidationFailed("entity", f"{entity!r} is not one of {', '.join(SPECS)}")
    key = doc.get("key")
    if isinstance(key, str):
        key = [key]
    if not key or not all(isinstance(k, str) for k in key):
        raise ValidationFailed("key", "list the source column(s) that identify a row")
    columns = {str(k): str(v) for k, v in _table(doc, "columns").items()}
    allowed = set(accepted_fields(entity))
    for name in [*columns, *_table(doc, "defaults")]:
        if name not in allowed:
            raise ValidationFailed(
                f"columns.{name}", f"is not a field of {entity} ({', '.join(sorted(allowed))})"
            )
    dates = _table(doc, "dates")
    zone = str(dates.get("time_zone", "UTC"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed("dates.time_zone", f"{zone!r} is not an IANA time zone") from exc
    fmt = str(doc.get("format", "csv"))
    if fmt not in ("csv", "jsonl"):
        raise ValidationFailed("format", "must be csv or jsonl")
    source = str(doc.get("source", "import"))
    if not 0 < len(source) <= 16:
        raise ValidationFailed("source", "must be 1 to 16 characters")
    return Mapping(
        entity=entity,
        key=tuple(key),
        columns=columns,
        source=source,
        format=fmt,
        encoding=str(doc.get("encoding", "utf-8")),
        delimiter=str(doc.get("delimiter", ",")),
        values={
            str(f): {str(a): str(b) for a, b in m.items()} for f, m in _table(doc, "values").items()
        },
        defaults={str(k): str(v) for k, v in _table(doc, "defaults").items()},
        date_formats=tuple(str(f) for f in dates.get("formats", ())),
        time_zone=zone,
        owner_by=str(doc.get("owner_by", "email")),
        link_source=doc.get("link_source"),
        automation=bool(doc.get("automation", True)),
    )


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file; a TOML syntax error names the file and the line."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationFailed(str(path), f"is not valid TOML: {exc}") from exc
    return parse_mapping(doc)
