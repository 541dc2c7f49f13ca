"""``docs/metrics.md``, generated from the registry so the page cannot drift from the code."""

from __future__ import annotations

from salestrack.analytics.metrics.core import DIMENSIONS, PERIODS, Metric
from salestrack.analytics.metrics.registry import REGISTRY

HEADER = """# Metrics

Generated from the registry (`salestrack metrics --docs > docs/metrics.md`); do not edit by hand.
Every metric is computed by `salestrack.analytics.metrics.compute(name, scope, ...)` for what the
caller may see (a rep: own rows and rows on own accounts; a manager: the team's; an admin: all),
and every answer carries the time its data was synced ("data as of").

Windows are half-open `[from, to)`. Ratios are empty when their denominator is zero. Snapshot
metrics (marked *now*) describe the state at the reference time and cannot be split by period;
"open" means in an open stage when the data was synced.

Money is added up in one currency, the request's (`--currency`; the org's
`SALESTRACK_DEFAULT_CURRENCY`, USD unless set). Each deal and order keeps its own currency and the
store holds no exchange rates, so metrics marked *in currency* leave out rows in other currencies;
the averages divide by the matching `*_in_currency` counts. Counts and rates (`open_deals`,
`deals_won`, `win_rate` ...) take every row, whatever its currency.
"""


def _dims(metric: Metric) -> str:
    return ", ".join(d for d in DIMENSIONS if d in metric.dims) or "none"


def _kind(metric: Metric) -> str:
    notes: list[str] = [metric.kind]
    if metric.is_base and metric.time is None:
        notes.append("now")
    if metric.priced:
        notes.append("in currency")
    return ", ".join(notes)


def render() -> str:
    """The whole Markdown page."""
    lines = [HEADER, "## Dimensions", ""]
    for name, text in DIMENSIONS.items():
        lines.append(f"- `{name}`: {text}")
    lines += ["", f"Periods: {', '.join(PERIODS)}; time zone: any IANA name (default UTC).", ""]
    areas: dict[str, list[Metric]] = {}
    for metric in REGISTRY:
        areas.setdefault(metric.area, []).append(metric)
    for area, metrics in areas.items():
        lines += [f"## {area}", "", "| metric | label | unit | kind | formula | dimensions |"]
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for m in metrics:
            formula = m.formula.replace("|", "\\|")
            lines.append(
                f"| `{m.name}` | {m.label} | {m.unit} | {_kind(m)} | {formula} | {_dims(m)} |"
            )
        lines.append("")
    return "\n".join(lines)
