"""Apply a mapping to rows as read: rename columns, map values, parse dates, build the key.

The result is a chunk of import fields the import service checks; problems found here (a date
that matches no format, a local time that does not exist) travel with the chunk as row problems.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salestrack.capture.mapping import DATE_FIELDS, Mapping
from salestrack.capture.reader import RawChunk
from salestrack.errors import ImportRowError
from salestrack.services.import_rules import RowProblems
from salestrack.services.imports import Chunk

_OFFSET = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"


def check_header(mapping: Mapping, header: list[str]) -> None:
    """Every column the mapping names must be in the file (line 1 is the header)."""
    if mapping.format != "csv":
        return
    for column in mapping.needed_columns:
        if column not in header:
            raise ImportRowError(1, column, "column is missing from the header")


def map_values(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """Translate through a value map: exact match first, then ignoring case and spaces."""
    if not table:
        return values
    folded = {k.strip().casefold(): v for k, v in table.items()}

    def one(value: object) -> object:
        if value is None or not isinstance(value, str):
            return value
        if value in table:
            return table[value]
        return folded.get(value.strip().casefold(), value)

    return values.map(one)


def parse_dates(
    values: pd.Series, mapping: Mapping, problems: RowProblems, field: str
) -> pd.Series:
    """Text to UTC timestamps: the mapping's formats first, then ISO 8601.

    Values without an offset are local times of the mapping's time zone; a local time that
    does not exist or is ambiguous (daylight-saving changes) is refused, not guessed.
    """
    text = values.where(values.notna(), "").astype(str).str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    todo = text != ""
    naive = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in mapping.date_formats:
        if not todo.any():
            break
        if "%z" in fmt:
            got = pd.to_datetime(text[todo], format=fmt, errors="coerce", utc=True)
            result[todo] = got
        else:
            got = pd.to_datetime(text[todo], format=fmt, errors="coerce")
            naive[todo] = got
        todo = todo & result.isna() & naive.isna()
    with_offset = todo & text.str.contains(_OFFSET, regex=True)
    if with_offset.any():
        result[with_offset] = pd.to_datetime(
            text[with_offset], format="ISO8601", errors="coerce", utc=True
        )
    plain = todo & ~with_offset
    if plain.any():
        naive[plain] = pd.to_datetime(text[plain], format="ISO8601", errors="coerce")
    local = naive.notna()
    if local.any():
        zoned = naive[local].dt.tz_localize(mapping.time_zone, ambiguous="NaT", nonexistent="NaT")
        result[local] = zoned.dt.tz_convert("UTC")
        gap = local & result.isna()
        problems.add(
            field,
            gap.to_numpy(),
            f"{{}} is not a valid local time in {mapping.time_zone}",
            text,
        )
    unparsed = (text != "") & result.isna()
    formats = ", ".join([*mapping.date_formats, "ISO 8601"])
    problems.add(field, unparsed.to_numpy(), f"{{}} matches no date format ({formats})", text)
    return result


def to_chunk(mapping: Mapping, raw: RawChunk) -> Chunk:
    """Turn a raw chunk into import fields, with the problems found on the way."""
    frame = raw.frame()
    problems = RowProblems(len(raw))
    for position, field, reason in raw.problems:
        problems.add_at(position, field, reason)
    out = pd.DataFrame(index=frame.index)
    for field, column in mapping.columns.items():
        values = (
            frame[column] if column in frame else pd.Series(None, index=frame.index, dtype=object)
        )
        values = map_values(values, mapping.values.get(field, {}))
        if field in mapping.defaults:
            empty = values.isna() | (values.astype(str).str.strip() == "")
            values = values.where(~empty, mapping.defaults[field])
        out[field] = values
    for field, default in mapping.defaults.items():
        if field not in out:
            out[field] = default
    for field in DATE_FIELDS & set(out.columns):
        out[field] = parse_dates(out[field], mapping, problems, field)
    parts = [
        frame[c].where(frame[c].notna(), "").astype(str).str.strip()
        if c in frame
        else pd.Series("", index=frame.index)
        for c in mapping.key
    ]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    out["external_id"] = key
    return Chunk(frame=out, lines=np.asarray(raw.lines, dtype=np.int64), problems=problems)
