"""The insights report for a terminal: one Rich table per headline section, each followed by
its plain-language sentences. Every number is shown with its interval and sample size."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from salestrack.analytics.insights.attribution import MODELS
from salestrack.analytics.insights.estimate import Estimate
from salestrack.analytics.insights.report import Report, feature_label

TOP_REPS = 10


def _ci(e: Estimate | None, fmt: str = "{:.2f}") -> str:
    if e is None or not math.isfinite(e.value):
        return "-"
    if not (math.isfinite(e.low) and math.isfinite(e.high)):
        return fmt.format(e.value)
    return f"{fmt.format(e.value)} [{fmt.format(e.low)}, {fmt.format(e.high)}]"


def _pct(e: Estimate | None) -> str:
    if e is None or not math.isfinite(e.value):
        return "-"
    return f"{100 * e.value:.0f}% [{100 * e.low:.0f}, {100 * e.high:.0f}]"


def _say(console: Console, report: Report, section: str) -> None:
    for line in report.sentences.get(section, []):
        console.print(f"  {line}", highlight=False)
    console.print()


def render(report: Report, console: Console) -> None:
    """Print the headline report."""
    console.rule("[bold]salestrack insights[/]")
    console.print(
        f"data as of {report.as_of or '-'}; {report.closed_deals:,} closed deals."
        " Brackets are 95% intervals; n is the sample behind each number."
        f" Money is in {report.currency}: amounts in other currencies are left out of it.\n"
    )
    _effectiveness(console, report)
    _timing(console, report)
    _attribution(console, report)
    _experiments(console, report)
    _relationships(console, report)
    _leaderboard(console, report)
    _coverage(console, report)


def _effectiveness(console: Console, r: Report) -> None:
    if not r.adjusted:
        console.print("[dim]effectiveness: not enough closed deals[/]\n")
        return
    table = Table(title="Activities that lift win rate most", title_justify="left")
    for col in ("deals with", "adjusted odds ratio", "win rate with", "win rate without", "n"):
        table.add_column(col, justify="left" if col == "deals with" else "right")
    lifts = {lift.feature: lift for lift in r.lifts}
    ranked = sorted(r.adjusted.odds_ratios.items(), key=lambda kv: -kv[1].value)
    for feature, odds in ranked:
        lift = lifts.get(feature)
        style = "green" if odds.low > 1 else ("red" if odds.high < 1 else "")
        table.add_row(
            feature_label(feature),
            _ci(odds),
            _pct(lift.with_) if lift else "-",
            _pct(lift.without) if lift else "-",
            f"{odds.n:,}",
            style=style,
        )
    console.print(table)
    _say(console, r, "effectiveness")


def _timing(console: Console, r: Report) -> None:
    if not r.calls:
        return
    table = Table(title="Best hours to call (prospect's local time)", title_justify="left")
    for col in ("hour", "connect rate (shrunk)", "raw", "calls"):
        table.add_column(col, justify="right")
    for cell in sorted(r.calls.by_hour, key=lambda c: -c.shrunk.value)[:6]:
        table.add_row(f"{cell.hour:02d}:00", _pct(cell.shrunk), _pct(cell.raw), f"{cell.raw.n:,}")
    console.print(table)
    if r.follow_up:
        delay = Table(title="Win rate by first follow-up delay", title_justify="left")
        delay.add_column("follow-up")
        delay.add_column("win rate", justify="right")
        delay.add_column("deals", justify="right")
        for bucket in r.follow_up.buckets:
            delay.add_row(bucket.label, _pct(bucket.win_rate), f"{bucket.win_rate.n:,}")
        delay.add_row("none", _pct(r.follow_up.no_follow_up), f"{r.follow_up.no_follow_up.n:,}")
        console.print(delay)
    _say(console, r, "timing")


def _attribution(console: Console, r: Report) -> None:
    a = r.attribution_revenue
    if a is None or a.total <= 0:
        return
    table = Table(
        title=f"Won revenue by channel and model (share of {a.total:,.0f} {r.currency};"
        f" time decay half-life {a.half_life_days:g} days)",
        title_justify="left",
    )
    table.add_column("channel")
    for model in MODELS:
        table.add_column(model.replace("_", " "), justify="right")
    channels = list(a.credits[MODELS[0]])
    for channel in channels:
        cells = []
        for model in MODELS:
            e = a.credits[model][channel]
            share = Estimate(e.value / a.total, e.low / a.total, e.high / a.total, e.n)
            cells.append(_pct(share))
        table.add_row(channel, *cells)
    console.print(table)
    console.print(
        f"  Every column adds up to the {a.total:,.0f} {r.currency} won over {a.journeys:,}"
        " closed deals; Markov and Shapley credit what a channel adds, the rule-based models"
        " where it sits.",
        highlight=False,
    )
    _say(console, r, "attribution")


def _experiments(console: Console, r: Report) -> None:
    if not r.experiments:
        return
    table = Table(title="Experiments", title_justify="left")
    for col in ("experiment", "variant", "conversion", "n"):
        table.add_column(col, justify="left" if col == "experiment" else "right")
    for x in r.experiments:
        for variant, rate in x.rates.items():
            table.add_row(x.experiment, variant, _pct(rate), f"{rate.n:,}")
    console.print(table)
    _say(console, r, "experiments")


def _relationships(console: Console, r: Report) -> None:
    table = Table(title="Repeat-customer value", title_justify="left")
    table.add_column("measure")
    table.add_column("value [95% CI]", justify="right")
    table.add_column("n", justify="right")
    ov, sp = r.order_value, r.spend
    rows = [
        (f"average first order ({r.currency})", _ci(ov.first, "{:,.0f}"), ov.first.n),
        (f"average repeat order ({r.currency})", _ci(ov.repeat, "{:,.0f}"), ov.repeat.n),
        ("repeat / first order value", _ci(ov.ratio), ov.ratio.n),
        ("spend: repeat / one-time customers", _ci(sp.ratio), sp.ratio.n),
        ("customers who ordered again", _pct(r.repeat_rate), r.repeat_rate.n),
        ("ordering 3 months after the first", _pct(r.retention_3m), r.retention_3m.n),
        ("untouched for 90+ days", _pct(r.last_touch.lapsed), r.last_touch.lapsed.n),
        ("CSAT points per touch per month", _ci(r.csat_slope, "{:+.3f}"), r.csat_slope.n),
    ]
    for label, value, n in rows:
        table.add_row(label, value, f"{n:,}")
    console.print(table)
    _say(console, r, "relationships")


def _leaderboard(console: Console, r: Report) -> None:
    if not r.leaderboard:
        return
    table = Table(title="Leaderboard (results, adjusted for deal mix)", title_justify="left")
    won = f"won revenue ({r.currency})"
    for col in ("rep", "adjusted win odds vs avg", "win rate", won, "closed"):
        table.add_column(col, justify="left" if col == "rep" else "right")
    for row in r.leaderboard[:TOP_REPS]:
        skill = row.skill
        odds = (
            f"{math.exp(skill.value):.2f}x [{math.exp(skill.low):.2f}, {math.exp(skill.high):.2f}]"
            if skill
            else "-"
        )
        table.add_row(
            row.name, odds, _pct(row.win_rate), f"{row.won_revenue:,.0f}", f"{row.closed:,}"
        )
    console.print(table)
    _say(console, r, "leaderboard")


def _coverage(console: Console, r: Report) -> None:
    _say(console, r, "coverage")
