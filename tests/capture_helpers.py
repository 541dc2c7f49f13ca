"""Helpers for the capture tests: a small activity mapping and CSV writer."""

from __future__ import annotations

from pathlib import Path

from salestrack.capture.mapping import Mapping, parse_mapping

ACTIVITY_MAPPING = {
    "entity": "activities",
    "source": "crm-x",
    "key": ["Activity ID"],
    "columns": {
        "type": "Type",
        "outcome": "Result",
        "started_at": "Date",
        "owner": "Owner",
        "subject": "Subject",
        "account": "Company",
    },
    "values": {
        "type": {"Phone call": "call", "E-mail": "email"},
        "outcome": {"Left VM": "voicemail", "Talked": "connected", "Sent": "sent"},
    },
    "dates": {"formats": ["%d/%m/%Y %H:%M"], "time_zone": "Europe/London"},
}

HEADER = "Activity ID,Type,Result,Date,Owner,Subject,Company\n"


def activity_mapping_toml(source: str = "crm-x") -> str:
    """:data:`ACTIVITY_MAPPING` as the TOML file a user would write (with another source)."""
    lines = [
        f'entity = "{ACTIVITY_MAPPING["entity"]}"',
        f'source = "{source}"',
        'key = ["Activity ID"]',
    ]
    lines.append("[columns]")
    lines += [f'{k} = "{v}"' for k, v in ACTIVITY_MAPPING["columns"].items()]  # type: ignore[union-attr]
    for field, table in ACTIVITY_MAPPING["values"].items():  # type: ignore[union-attr]
        lines.append(f"[values.{field}]")
        lines += [f'"{k}" = "{v}"' for k, v in table.items()]
    lines += ["[dates]", 'formats = ["%d/%m/%Y %H:%M"]', 'time_zone = "Europe/London"']
    return "\n".join(lines) + "\n"


def activity_mapping(**changes: object) -> Mapping:
    return parse_mapping({**ACTIVITY_MAPPING, **changes})


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
