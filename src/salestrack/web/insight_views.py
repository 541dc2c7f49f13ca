"""Each insight as a view: title, plain-language sentence, sample size, chart and table.

The pages and the weekly report both show these, so the sentence a manager reads in the
browser and in the e-mailed report is the same one. Money is in the formatter's currency, the
org's ``SALESTRACK_DEFAULT_CURRENCY``: amounts in other currencies are left out of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from salestrack.web import charts
from salestrack.web import insight_data as d
from salestrack.web.data import WarehouseReader
from salestrack.web.i18n import N_, Formatter
from salestrack.web.labels import label


@dataclass
class InsightView:
    title: str
    sentence: str
    n: int
    chart: dict[str, Any] | None
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)


FEATURE_LABELS = {
    "had_demo": N_("a demo held"),
    "fast_follow_up": N_("a follow-up within a day of the first meeting"),
    "had_check_in": N_("a check-in call"),
    "had_visit": N_("a visit"),
}
MODEL_LABELS = {
    "first_touch": N_("First touch"),
    "last_touch": N_("Last touch"),
    "linear": N_("Linear"),
    "position_based": N_("Position-based"),
}


def _rate_rows(fmt: Formatter, frame: pd.DataFrame, key: str) -> list[list[str]]:
    return [
        [
            str(r[key]),
            fmt.num(r["n"]),
            fmt.pct(r["rate"]),
            f"{fmt.pct(r['lo'])} – {fmt.pct(r['hi'])}",
        ]
        for _, r in frame.iterrows()
    ]


def lifts(reader: WarehouseReader, ids: Sequence[int], fmt: Formatter) -> InsightView:
    deals = d.closed_deals(reader, ids)
    frame = d.lifts(deals)
    frame["what"] = [fmt._(FEATURE_LABELS[f]) for f in frame["feature"]]
    frame["with"] = [fmt._(N_("with")) if p else fmt._(N_("without")) for p in frame["present"]]
    best = frame.pivot(index="feature", columns="present", values="rate")
    diff = (best[True] - best[False]).dropna() if len(deals) else pd.Series(dtype=float)
    if len(diff):
        top = str(diff.idxmax())
        row = frame[frame["feature"] == top].set_index("present")
        sentence = fmt._(
            N_(
                "Deals with %(what)s were won %(a)s of the time, against %(b)s without "
                "(%(n)s closed deals)."
            ),
            what=fmt._(FEATURE_LABELS[top]),
            a=fmt.pct(row.loc[True, "rate"]),
            b=fmt.pct(row.loc[False, "rate"]),
            n=fmt.num(len(deals)),
        )
    else:
        sentence = fmt._(N_("No closed deals yet."))
    chart = charts.rate_points(
        frame.rename(columns={"what": "feature_label"}),
        fmt,
        category="feature_label",
        color="with",
        color_title=N_("Deals"),
        title=N_("Win rate with and without"),
        y_title=N_("Win rate"),
    )
    frame["label"] = frame["what"] + " · " + frame["with"]
    return InsightView(
        fmt._(N_("What lifts win rate")),
        sentence,
        len(deals),
        chart,
        [fmt._(N_("Deals")), "n", fmt._(N_("Win rate")), fmt._(N_("95% CI"))],
        _rate_rows(fmt, frame, "label"),
    )


def attribution(reader: WarehouseReader, ids: Sequence[int], fmt: Formatter) -> InsightView:
    frame = d.attribution(reader, ids, fmt.currency)
    frame["model_label"] = [fmt._(MODEL_LABELS[m]) for m in frame["model"]]
    frame["type_label"] = [label(fmt, t) for t in frame["type"]]
    n = int(frame["deals"].max()) if len(frame) else 0
    linear = frame[frame["model"] == "linear"].sort_values("share", ascending=False)
    sentence = (
        fmt._(
            N_(
                "In the linear model %(type)s earns the largest share of the revenue won in "
                "%(currency)s: %(share)s (%(n)s won deals)."
            ),
            type=linear.iloc[0]["type_label"],
            currency=fmt.currency,
            share=fmt.pct(linear.iloc[0]["share"]),
            n=fmt.num(n),
        )
        if len(linear)
        else fmt._(N_("No won deals yet."))
    )
    chart = charts.grouped_bars(
        frame,
        fmt,
        x="type_label",
        y="share",
        group="model_label",
        title=N_("Share of won revenue by activity type"),
        y_title=N_("Share"),
        y_format=".0%",
    )
    rows = [[r.type_label, r.model_label, fmt.pct(r.share)] for r in frame.itertuples()]
    return InsightView(
        fmt._(N_("Attribution by model")),
        sentence,
        n,
        chart,
        [fmt._(N_("Type")), fmt._(N_("Model")), fmt._(N_("Share"))],
        rows,
    )


def timing(reader: WarehouseReader, ids: Sequence[int], fmt: Formatter) -> InsightView:
    frame = d.call_heatmap(reader, ids)
    n = int(frame["n"].sum()) if len(frame) else 0
    solid = frame[frame["n"] >= 5].sort_values("rate", ascending=False)
    if len(solid):
        top = solid.iloc[0]
        day = fmt.babel.days["format"]["wide"][(int(top["weekday"]) - 1) % 7]
        sentence = fmt._(
            N_(
                "Calls connect most often on %(day)s at %(hour)s:00 local time: "
                "%(rate)s of %(cell)s calls (%(n)s calls in all)."
            ),
            day=day,
            hour=int(top["hour"]),
            rate=fmt.pct(top["rate"]),
            cell=fmt.num(top["n"]),
            n=fmt.num(n),
        )
    else:
        sentence = fmt._(N_("Not enough calls yet."))
    by_hour = frame.groupby("hour")[["connected", "n"]].sum().reset_index()
    by_hour["rate"], by_hour["lo"], by_hour["hi"] = d.wilson(by_hour["connected"], by_hour["n"])
    return InsightView(
        fmt._(N_("Best time to call")),
        sentence,
        n,
        charts.heatmap(frame, fmt, title=N_("Connect rate by local day and hour")),
        [fmt._(N_("Local hour")), "n", fmt._(N_("Connect rate")), fmt._(N_("95% CI"))],
        _rate_rows(fmt, by_hour, "hour"),
    )


def follow_up(reader: WarehouseReader, ids: Sequence[int], fmt: Formatter) -> InsightView:
    deals = d.closed_deals(reader, ids)
    frame = d.follow_up_delay(deals)
    frame["bucket_label"] = [
        fmt._(N_("no follow-up")) if b == "none" else b for b in frame["bucket"]
    ]
    fast, slow = frame.iloc[0], frame.iloc[2]
    sentence = fmt._(
        N_(
            "A follow-up within a day of the first meeting goes with a %(a)s win "
            "rate, against %(b)s after more than three days (%(n)s closed deals)."
        ),
        a=fmt.pct(fast["rate"]),
        b=fmt.pct(slow["rate"]),
        n=fmt.num(len(deals)),
    )
    chart = charts.rate_points(
        frame,
        fmt,
        category="bucket_label",
        title=N_("Win rate by follow-up delay"),
        y_title=N_("Win rate"),
    )
    return InsightView(
        fmt._(N_("Follow-up delay")),
        sentence,
        len(deals),
        chart,
        [fmt._(N_("Delay")), "n", fmt._(N_("Win rate")), fmt._(N_("95% CI"))],
        _rate_rows(fmt, frame, "bucket_label"),
    )


def experiments(reader: WarehouseReader, ids: Sequence[int], fmt: Formatter) -> InsightView:
    frame = d.experiments(reader, ids)
    n = int(frame["n"].sum()) if len(frame) else 0
    sentence = fmt._(N_("No experiment has enrolments yet."))
    if len(frame) >= 2:
        a, b = frame.iloc[0], frame.iloc[1]
        p = d.two_proportion_p(int(a["converted"]), int(a["n"]), int(b["converted"]), int(b["n"]))
        sentence = fmt._(
            N_(
                "%(exp)s: variant %(a)s converts %(ra)s, variant %(b)s %(rb)s "
                "(p = %(p)s, %(n)s enrolled)."
            ),
            exp=a["experiment"],
            a=a["variant"],
            ra=fmt.pct(a["rate"]),
            b=b["variant"],
            rb=fmt.pct(b["rate"]),
            p=fmt.num(p, 3) if p is not None else "–",
            n=fmt.num(n),
        )
    chart = charts.rate_points(
        frame, fmt, category="variant", title=N_("Conversion by variant"), y_title=N_("Conversion")
    )
    return InsightView(
        fmt._(N_("Experiments")),
        sentence,
        n,
        chart,
        [fmt._(N_("Variant")), "n", fmt._(N_("Conversion")), fmt._(N_("95% CI"))],
        _rate_rows(fmt, frame, "variant"),
    )


def customers(reader: WarehouseReader, ids: Sequence[int], fmt: Formatter) -> InsightView:
    frame = d.customers(reader, ids, fmt.currency)
    n = len(frame)
    repeat = float((frame["orders"] > 1).mean()) if n else None
    sentence = fmt._(
        N_(
            "%(share)s of %(n)s customers ordered again; a repeat order averages "
            "%(rep)s against %(first)s for a first order, and a customer has brought "
            "%(clv)s so far on average."
        ),
        share=fmt.pct(repeat),
        n=fmt.num(n),
        rep=fmt.money(frame["repeat_order"].mean() if n else None),
        first=fmt.money(frame["first_order"].mean() if n else None),
        clv=fmt.money(frame["revenue"].mean() if n else None),
    )
    seg = (
        d.clv_by_segment(frame) if n else pd.DataFrame(columns=["segment", "mean", "lo", "hi", "n"])
    )
    chart = charts.rate_points(
        seg.rename(columns={"mean": "rate"}),
        fmt,
        category="segment",
        title=N_("Revenue per customer so far, by segment"),
        y_title=N_("Revenue"),
    )
    chart["layer"][0]["encoding"]["y"]["axis"] = {"format": ",.0f"}
    chart["layer"][1]["encoding"]["y"]["axis"] = {"format": ",.0f"}
    rows = [
        [str(r.segment), fmt.num(r.n), fmt.money(r.mean), f"{fmt.money(r.lo)} – {fmt.money(r.hi)}"]
        for r in seg.itertuples()
    ]
    return InsightView(
        fmt._(N_("Repeat customers and lifetime value")),
        sentence,
        n,
        chart,
        [fmt._(N_("Segment")), "n", fmt._(N_("Revenue per customer")), fmt._(N_("95% CI"))],
        rows,
    )


def satisfaction(reader: WarehouseReader, ids: Sequence[int], fmt: Formatter) -> InsightView:
    frame, totals = d.satisfaction(reader, ids)
    shown = frame.dropna(subset=["mean"]).rename(columns={"mean": "rate"})
    sentence = fmt._(
        N_(
            "CSAT averages %(low)s with under one touch a month and %(high)s with "
            "six or more; NPS is %(nps)s (%(n)s responses)."
        ),
        low=fmt.num(frame.iloc[0]["mean"], 1) if frame.iloc[0]["n"] else "–",
        high=fmt.num(frame.iloc[-1]["mean"], 1) if frame.iloc[-1]["n"] else "–",
        nps=fmt.num(totals["nps"]),
        n=fmt.num((totals["csat_n"] or 0) + (totals["nps_n"] or 0)),
    )
    chart = charts.rate_points(
        shown,
        fmt,
        category="bucket",
        title=N_("CSAT by touches per month"),
        y_title=N_("CSAT (1–5)"),
    )
    for layer in chart["layer"]:
        layer["encoding"]["y"]["axis"] = {"format": ".1f"}
    rows = [
        [r.bucket, fmt.num(r.n), fmt.num(r.mean, 2) if r.n else "–"] for r in frame.itertuples()
    ]
    return InsightView(
        fmt._(N_("Satisfaction")),
        sentence,
        int(totals["csat_n"] or 0),
        chart,
        [fmt._(N_("Touches per month")), "n", fmt._(N_("Mean CSAT"))],
        rows,
    )


Builder = Callable[[WarehouseReader, Sequence[int], Formatter], InsightView]
INSIGHTS: dict[str, tuple[str, Builder]] = {
    "win-rate": (N_("What lifts win rate"), lifts),
    "attribution": (N_("Attribution by model"), attribution),
    "timing": (N_("Best time to call"), timing),
    "follow-up": (N_("Follow-up delay"), follow_up),
    "experiments": (N_("Experiments"), experiments),
    "customers": (N_("Repeat customers and lifetime value"), customers),
    "satisfaction": (N_("Satisfaction"), satisfaction),
}
