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
metrics (marked *now*) describe the state at the reference time and cannot be split by period.
"""


def _dims(metric: Metric) -> str:
    return ", ".join(d for d in DIMENSIONS if d in metric.dims) or "none"


def _kind(metric: Metric) -> str:
    if metric.is_base and metric.time is None:
        return f"{metric.kind}, now"
    return metric.kind


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
