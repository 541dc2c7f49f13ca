"""Vega-Lite chart specs built with Altair: the pages embed them, the report renders them to PNG.

Each function takes the small frame a page already has and the request's formatter (titles and
labels in the user's language) and returns a plain spec dict. Rates with intervals are drawn as
points with error bars, so nobody reads a difference the data does not support.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from salestrack.web.i18n import N_, Formatter
from salestrack.web.labels import label

WIDTH = "container"
PALETTE = ["#1f5fa8", "#d9822b", "#2e8540", "#a23b72", "#6b6b6b", "#8c6d1f", "#3b8ea5", "#c0392b"]


def _spec(chart: alt.TopLevelMixin, fmt: Formatter) -> dict[str, Any]:
    """The plain spec; schema validation is skipped per request (tests render every chart)."""
    spec: dict[str, Any] = (
        chart.configure_range(category=PALETTE).configure_view(stroke=None).to_dict(validate=False)
    )
    spec["config"]["locale"] = {
        "number": {
            "decimal": fmt.babel.number_symbols["latn"]["decimal"],
            "thousands": fmt.babel.number_symbols["latn"]["group"],
            "grouping": [3],
            "currency": ["", ""],
        }
    }
    return spec


def _labelled(frame: pd.DataFrame, fmt: Formatter, *columns: str) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        out[col] = [label(fmt, str(v)) for v in out[col]]
    return out


def stacked_bars(
    frame: pd.DataFrame,
    fmt: Formatter,
    *,
    y: str,
    x: str,
    color: str,
    title: str,
    x_title: str,
    color_title: str,
) -> dict[str, Any]:
    """Horizontal stacked bars: one bar per ``y`` (e.g. a rep), split by ``color``."""
    data = _labelled(frame, fmt, color)
    chart = (
        alt.Chart(data, title=fmt._(title))
        .mark_bar()
        .encode(
            y=alt.Y(f"{y}:N", title=None, sort="ascending"),
            x=alt.X(f"{x}:Q", title=fmt._(x_title)),
            color=alt.Color(f"{color}:N", title=fmt._(color_title)),
            tooltip=[f"{y}:N", f"{color}:N", alt.Tooltip(f"{x}:Q", format=",.1f")],
        )
        .properties(width=WIDTH, height=alt.Step(22))
    )
    return _spec(chart, fmt)


def rate_points(
    frame: pd.DataFrame,
    fmt: Formatter,
    *,
    category: str,
    title: str,
    y_title: str,
    color: str | None = None,
    color_title: str = "",
) -> dict[str, Any]:
    """Rates as points with 95 % interval error bars, one per ``category`` (and ``color``)."""
    data = frame.dropna(subset=["rate"]).copy()
    base = alt.Chart(data, title=fmt._(title)).encode(
        x=alt.X(f"{category}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
    )
    extra: dict[str, Any] = {}
    if color:
        extra = {
            "color": alt.Color(f"{color}:N", title=fmt._(color_title)),
            "xOffset": alt.XOffset(f"{color}:N"),
        }
    points = base.mark_point(filled=True, size=80).encode(
        y=alt.Y("rate:Q", title=fmt._(y_title), axis=alt.Axis(format="%")),
        tooltip=[f"{category}:N", alt.Tooltip("rate:Q", format=".1%"), "n:Q"],
        **extra,
    )
    bars = base.mark_errorbar(ticks=True).encode(
        y=alt.Y("lo:Q", title=fmt._(y_title)), y2="hi:Q", **extra
    )
    return _spec((bars + points).properties(width=WIDTH, height=240), fmt)


def grouped_bars(
    frame: pd.DataFrame,
    fmt: Formatter,
    *,
    x: str,
    y: str,
    group: str,
    title: str,
    y_title: str,
    y_format: str = ",.0f",
) -> dict[str, Any]:
    """Bars side by side: one group per ``x``, one bar per ``group`` (e.g. attribution model)."""
    chart = (
        alt.Chart(frame, title=fmt._(title))
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset(f"{group}:N"),
            y=alt.Y(f"{y}:Q", title=fmt._(y_title), axis=alt.Axis(format=y_format)),
            color=alt.Color(f"{group}:N", title=None),
            tooltip=[f"{x}:N", f"{group}:N", alt.Tooltip(f"{y}:Q", format=y_format)],
        )
        .properties(width=WIDTH, height=240)
    )
    return _spec(chart, fmt)


def bars(
    frame: pd.DataFrame, fmt: Formatter, *, x: str, y: str, title: str, y_title: str
) -> dict[str, Any]:
    chart = (
        alt.Chart(frame, title=fmt._(title))
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{y}:Q", title=fmt._(y_title)),
            tooltip=[f"{x}:N", f"{y}:Q"],
        )
        .properties(width=WIDTH, height=220)
    )
    return _spec(chart, fmt)


def heatmap(frame: pd.DataFrame, fmt: Formatter, *, title: str) -> dict[str, Any]:
    """Weekday by hour, coloured by connect rate; cells with few calls are left out."""
    days = [fmt.babel.days["format"]["abbreviated"][(d - 1) % 7] for d in range(7)]
    data = frame[frame["n"] >= 5].copy()
    data["day"] = [days[int(d)] for d in data["weekday"]]
    chart = (
        alt.Chart(data, title=fmt._(title))
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=fmt._(N_("Local hour"))),
            y=alt.Y("day:N", title=None, sort=days),
            color=alt.Color(
                "rate:Q",
                title=fmt._(N_("Connect rate")),
                scale=alt.Scale(scheme="blues"),
                legend=alt.Legend(format="%"),
            ),
            tooltip=["day:N", "hour:O", alt.Tooltip("rate:Q", format=".0%"), "n:Q"],
        )
        .properties(width=WIDTH, height=alt.Step(26))
    )
    return _spec(chart, fmt)
