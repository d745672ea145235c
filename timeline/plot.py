"""``timeline plot``: the README figures (docs/figures/*.png), drawn from a built package.

The PNGs are byte-for-byte reproducible for a given package and matplotlib version: the Agg
canvas is used directly (no pyplot state, no user matplotlibrc), the style is reset to matplotlib's
defaults, text uses the DejaVu Sans font that ships with matplotlib, and no Software/date metadata
is written. matplotlib is pinned in the ``plot`` and ``test`` extras; it is imported only here.
"""

from __future__ import annotations

import io
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .vocab import CATEGORIES

if TYPE_CHECKING:
    import pandas as pd

FIGURES = Path("docs") / "figures"
DPI = 100
WIDTH = 10.0  # inches: 1000 px, about the width at which GitHub shows a README image

# Lane labels and colours by event category; the explorer (site.py) uses the same.
CATEGORY_LABELS = {
    "diplomacy": "Diplomacy", "treaty": "Treaty", "military": "Military", "estimate": "Estimates released",
    "sanctions_un": "Sanctions & UN", "statement": "Statements", "cooperation": "Cooperation",
}
CATEGORY_COLORS = {
    "diplomacy": "#1f77b4", "treaty": "#d62728", "military": "#2ca02c", "estimate": "#9467bd",
    "sanctions_un": "#ff7f0e", "statement": "#7f7f7f", "cooperation": "#17becf",
}
# Colour-blind-friendly-ish qualitative palette for estimators (tab20 reordered: darks first).
ESTIMATOR_COLORS = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ff9896", "#98df8a", "#ffbb78", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
]


@dataclass(frozen=True)
class Panel:
    """One estimates chart: the measures drawn together, all in one unit."""

    title: str
    measures: tuple[str, ...]  # each measure has one unit (vocab.MEASURES)
    ylabel: str
    hollow: tuple[str, ...] = ()  # measures drawn with hollow markers (told apart in the note)


@dataclass(frozen=True)
class Series:
    """One estimates figure (and the matching view in the explorer)."""

    name: str
    title: str
    panels: tuple[Panel, ...]
    note: str


SERIES: tuple[Series, ...] = (
    Series("estimates-casualties", "North Korean troops killed and casualties in Russia's war, by estimator", (
        Panel("Killed", ("killed",), "people killed"),
        Panel("Casualties (killed and wounded)", ("casualties", "killed_and_wounded"), "people killed or wounded",
              hollow=("killed_and_wounded",)),
    ), "Casualties: filled = stated as 'casualties' or 'losses', hollow = stated as 'killed and wounded'. "
       "Scopes differ."),
    Series("estimates-troops", "North Korean troops deployed to Russia, by estimator", (
        Panel("Troops deployed", ("troops_deployed",), "troops (people)"),
    ), "Cumulative, current and single-wave figures are mixed: see each estimate's scope."),
    Series("estimates-munitions", "North Korean munitions delivered to Russia, by estimator and unit", (
        Panel("Artillery shells and rounds", ("artillery_shells_delivered", "artillery_rounds_delivered"),
              "shells or rounds", hollow=("artillery_rounds_delivered",)),
        Panel("Shipping containers of munitions", ("containers_delivered",), "containers"),
    ), "Hollow: rounds (shells and rockets counted together). Some shell counts are derived from "
       "container counts. Scopes differ."),
)
FIGURE_NAMES = ("timeline", *(s.name for s in SERIES))


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


def estimates_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Estimates with the estimator's name, sorted so every consumer sees the same order."""
    names = tables["actors"][["actor_id", "name"]].rename(columns={"actor_id": "estimator_id",
                                                                   "name": "estimator"})
    est = tables["estimates"].merge(names, on="estimator_id", how="left")
    est["estimator"] = est["estimator"].fillna(est["estimator_id"])
    est["measure"] = est["measure"].astype(str)
    est["unit"] = est["unit"].astype(str)
    return est.sort_values(["as_of", "estimate_id"], kind="stable").reset_index(drop=True)


def series_rows(series: Series, est: pd.DataFrame) -> pd.DataFrame:
    """The estimates drawn in one series (all its panels), in as-of order."""
    measures = [m for p in series.panels for m in p.measures]
    return est[est["measure"].isin(measures)]


def estimator_colors(rows: pd.DataFrame) -> dict[str, str]:
    """Estimator -> colour, in order of first appearance, so a late estimate keeps earlier colours."""
    order = dict.fromkeys(rows.sort_values(["as_of", "estimate_id"])["estimator"])
    return {e: ESTIMATOR_COLORS[i % len(ESTIMATOR_COLORS)] for i, e in enumerate(order)}


def summit_ids(tables: dict[str, pd.DataFrame]) -> set[str]:
    """Meetings and visits at which both Vladimir Putin and Kim Jong Un took part."""
    ev, parts = tables["events"], tables["participants"]
    leaders = parts[parts["actor_id"].isin(["vladimir-putin", "kim-jong-un"])]
    both = leaders.groupby("event_id")["actor_id"].nunique()
    kinds = ev.set_index("event_id")["event_type"].astype(str)
    return {e for e in both[both == 2].index if kinds.get(e) in ("meeting", "visit")}


def _day(ts) -> str:
    return f"{ts.day} {ts:%b %Y}"


def _treaty_label(row, parts: pd.DataFrame, names: dict[str, str]) -> str:
    kind = str(row.event_type)
    if kind == "treaty_ratification":
        who = parts[(parts["event_id"] == row.event_id) & (parts["role"] == "ratifier")]["actor_id"]
        by = ", ".join(names.get(a, a) for a in sorted(who))
        return f"Ratified{' by ' + by if by else ''}, {_day(row.date_start)}"
    verb = {"treaty_signing": "Treaty signed", "treaty_entry_into_force": "Treaty in force"}.get(
        kind, kind.replace("_", " ").capitalize())
    return f"{verb}, {_day(row.date_start)}"


def _summit_label(row, places: dict[str, str]) -> str:
    name = places.get(row.place_id) if isinstance(row.place_id, str) else None
    place = re.sub(r"\s*\(.*\)$", "", name).split(",")[0] if name else ""
    return f"{place or 'Summit'}\n{_day(row.date_start)}"


def _source_line(foot, version: str, name: str) -> None:
    foot.text(0.995, 0.2, f"Data: {name} v{version}", ha="right", va="bottom", fontsize=8.5, color="#444444")


def _style() -> dict[str, Any]:
    return {"font.family": "DejaVu Sans", "font.size": 10, "axes.titlesize": 11, "axes.titleweight": "bold",
            "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#e5e5e5",
            "grid.linewidth": 0.8, "svg.hashsalt": "timeline", "legend.frameon": False}


def _date_tick(x: float, pos: int | None) -> str:
    """'2025' at each January, the month elsewhere, and the year under the first tick too."""
    import matplotlib.dates as mdates

    d = mdates.num2date(x)
    if d.month == 1:
        return f"{d:%Y}"
    return f"{d:%b}\n{d:%Y}" if pos == 0 else f"{d:%b}"


def _date_axis(ax, start, end) -> None:
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker

    ax.set_xlim(mdates.date2num(start), mdates.date2num(end))
    locator = mdates.MonthLocator(bymonth=(1, 4, 7, 10))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(_date_tick))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())


def _span(dates, months: int = 12) -> tuple[Any, Any]:
    """From the start of the period (year, or quarter with months=3) holding the first date to the
    start of the period after the last date."""
    import pandas as pd

    margin = pd.Timedelta(days=15 if months < 12 else 0)  # keeps points off the frame
    first, last = dates.min() - margin, dates.max() + margin
    start = pd.Timestamp(first.year, (first.month - 1) // months * months + 1, 1)
    end = pd.Timestamp(last.year, (last.month - 1) // months * months + 1, 1) + pd.DateOffset(months=months)
    return start, end


def _frame(height: float):
    """A figure with a main area (constrained layout) and a 0.3-inch footer for the note and source line."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    main, foot = fig.subfigures(2, 1, height_ratios=(height - 0.3, 0.3))
    return fig, main, foot


def figure_timeline(tables: dict[str, pd.DataFrame], version: str, name: str):
    """Figure 1: events by category in lanes, treaty milestones and summits labelled."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    ev = tables["events"][tables["events"]["status"] == "active"].sort_values(["date_start", "event_id"])
    lanes = [c for c in CATEGORIES if c in set(ev["category"].astype(str))]
    height = {c: (2.6 if c == "treaty" else 1.0) for c in lanes}  # room for the treaty labels
    y, pos = 0.0, {}
    for c in reversed(lanes):
        pos[c] = y + height[c] / 2
        y += height[c]
    fig, main, foot = _frame(6.4)
    ax = main.add_subplot()
    start, end = _span(ev["date_start"])
    _date_axis(ax, start, end)
    ax.set_ylim(0, y)
    ax.grid(axis="y", visible=False)
    counts = ev["category"].astype(str).value_counts()
    ax.set_yticks([pos[c] for c in lanes], [f"{category_label(c)} ({counts[c]})" for c in lanes])
    for c in lanes[1:]:
        ax.axhline(pos[c] + height[c] / 2, color="#dddddd", linewidth=0.8)
    for c in lanes:
        sub = ev[ev["category"].astype(str) == c]
        x = mdates.date2num(sub["date_start"].to_numpy())
        # Same-day events of one lane are spread vertically (up to 5 rows) so each stays visible.
        rank = sub.groupby("date_start").cumcount().to_numpy() % 5
        size = sub["date_start"].map(sub["date_start"].value_counts()).clip(upper=5).to_numpy()
        yy = pos[c] + (rank - (size - 1) / 2) * 0.13
        day = (sub["date_precision"].astype(str) == "day").to_numpy()
        color = CATEGORY_COLORS.get(c, "#333333")
        ax.scatter(x[day], yy[day], s=34, color=color, alpha=0.8, edgecolors="white", linewidths=0.5, zorder=3)
        ax.scatter(x[~day], yy[~day], s=34, facecolors="white", edgecolors=color, linewidths=1.3, zorder=3)
        spans = sub["date_end"].notna().to_numpy()
        if spans.any():
            x1 = mdates.date2num(sub["date_end"].to_numpy()[spans])
            ax.hlines(yy[spans], x[spans], x1, color=color, linewidth=2.2, alpha=0.55, zorder=2)
    _label_treaty(ax, ev, tables, pos.get("treaty"), height.get("treaty", 1.0))
    _label_summits(ax, ev, tables, y)
    ax.set_title(f"Russia–North Korea partnership: {len(ev)} events by category", loc="left", pad=30)
    ax.set_xlabel("Date of the event (start of window where it spans days)")
    key = [Line2D([], [], marker="o", linestyle="", color="#555555", label="exact day"),
           Line2D([], [], marker="o", linestyle="", markerfacecolor="white", color="#555555", label="month only"),
           Line2D([], [], color="#555555", linewidth=2.2, alpha=0.55, label="window (start to end)"),
           Line2D([], [], color="#999999", linestyle="--", linewidth=1, label="Putin–Kim summit")]
    main.legend(handles=key, loc="outside lower center", ncol=4, fontsize=8.5)
    _source_line(foot, version, name)
    return fig


def _label_treaty(ax, ev: pd.DataFrame, tables: dict[str, pd.DataFrame], lane_y, lane_h: float) -> None:
    import matplotlib.dates as mdates

    if lane_y is None:
        return
    names = dict(zip(tables["actors"]["actor_id"], tables["actors"]["name"], strict=True))
    # the 2024 treaty's own milestones (signing, ratification, entry into force), not every agreement's
    milestones = ev[ev["treaty_id"].notna() & (ev["category"].astype(str) == "treaty")]
    # Labels stack in a column right of the last milestone, top to bottom in date order,
    # each joined to its point by a thin leader line.
    n = len(milestones)
    if not n:
        return
    right = mdates.date2num(milestones["date_start"].max()) + 40
    step = lane_h * 0.8 / max(n - 1, 1)
    for i, row in enumerate(milestones.itertuples(index=False)):
        x = mdates.date2num(row.date_start)
        ty = lane_y + lane_h * 0.4 - i * step
        ax.annotate(_treaty_label(row, tables["participants"], names), (x, lane_y), xytext=(right, ty),
                    fontsize=8.5, color="#8b1a1a", va="center",
                    arrowprops={"arrowstyle": "-", "color": "#c98a8a", "linewidth": 0.6, "shrinkB": 3})


def _label_summits(ax, ev: pd.DataFrame, tables: dict[str, pd.DataFrame], top: float) -> None:
    import matplotlib.dates as mdates

    summits = ev[ev["event_id"].isin(summit_ids(tables))].drop_duplicates("date_start")
    places = dict(zip(tables["places"]["place_id"], tables["places"]["name"], strict=True))
    for row in summits.itertuples(index=False):
        x = mdates.date2num(row.date_start)
        ax.axvline(x, color="#999999", linestyle="--", linewidth=1, zorder=1)
        ax.text(x, top, _summit_label(row, places), ha="center", va="bottom", fontsize=8.5, color="#333333")


def _dodge(dates: pd.Series) -> Any:
    """Day offsets that set apart estimates sharing an as-of date (6 days between neighbours)."""
    rank = dates.groupby(dates).cumcount()
    size = dates.map(dates.value_counts())
    return ((rank - (size - 1) / 2) * 6).to_numpy()


def _draw_estimates(ax, rows: pd.DataFrame, colors: dict[str, str], hollow: tuple[str, ...]) -> None:
    import matplotlib.dates as mdates
    import pandas as pd

    x = mdates.date2num(rows["as_of"].to_numpy()) + _dodge(rows["as_of"])
    for xi, r in zip(x, rows.itertuples(index=False), strict=True):
        color = colors[r.estimator]
        face = "white" if r.measure in hollow else color
        low, best, high = (None if pd.isna(v) else float(v) for v in (r.low, r.best, r.high))
        if low is not None and high is not None:
            ax.vlines(xi, low, high, color=color, linewidth=2.4, alpha=0.75, zorder=2)
            ax.scatter([xi, xi], [low, high], marker="_", s=60, color=color, zorder=3)
        if best is not None:
            ax.scatter(xi, best, marker="o", s=42, facecolors=face, edgecolors=color, linewidths=1.4, zorder=4)
        elif low is not None and high is None:
            ax.scatter(xi, low, marker="^", s=48, facecolors=face, edgecolors=color, linewidths=1.4, zorder=4)
        elif high is not None and low is None:
            ax.scatter(xi, high, marker="v", s=48, facecolors=face, edgecolors=color, linewidths=1.4, zorder=4)


def _wrap(text: str, width: int = 40) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def figure_series(series: Series, est: pd.DataFrame, version: str, name: str, fallback: pd.Series | None = None):
    """Figures 2-4: one panel per measure group, colour per estimator, best/low/high marked."""
    import matplotlib.ticker as mticker
    from matplotlib.lines import Line2D

    rows = series_rows(series, est)
    colors = estimator_colors(rows)
    order = list(colors)
    n = len(series.panels)
    legend_rows = -(-len(order) // 3)
    height = 1.5 + 3.0 * n + 0.36 * legend_rows
    fig, main, foot = _frame(height)
    axes = main.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    # With no estimate of this series, the axis spans all estimates (or the events: ``fallback``).
    dates = rows["as_of"] if len(rows) else est["as_of"] if len(est) else fallback
    start, end = _span(dates, months=3)
    for ax, panel in zip(axes, series.panels, strict=True):
        sub = rows[rows["measure"].isin(panel.measures)]
        _date_axis(ax, start, end)
        _draw_estimates(ax, sub, colors, panel.hollow)
        ax.set_title(f"{panel.title} ({len(sub)} estimate{'' if len(sub) == 1 else 's'})", loc="left")
        ax.set_ylabel(panel.ylabel)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    axes[-1].set_xlabel("As-of date of the estimate")
    main.suptitle(series.title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    handles = [Line2D([], [], marker="o", linestyle="", color=colors[e], label=_wrap(e)) for e in order]
    key = [Line2D([], [], marker="o", linestyle="", color="#555555", label="best value"),
           Line2D([], [], marker="^", linestyle="", color="#555555", label="at least (low)"),
           Line2D([], [], marker="v", linestyle="", color="#555555", label="up to (high)"),
           Line2D([], [], marker="_", color="#555555", linewidth=2.4, markersize=9, label="range low–high")]
    axes[0].legend(handles=key, loc="best", ncol=2, fontsize=8.5, frameon=True, framealpha=0.9,
                   edgecolor="#cccccc")
    main.legend(handles=handles, loc="outside lower left", ncol=3, fontsize=8.5, title="Estimator",
                title_fontsize=9, alignment="left")
    foot.text(0.005, 0.2, series.note, ha="left", va="bottom", fontsize=8.5, color="#444444")
    _source_line(foot, version, name)
    return fig


def _png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def figures(tables: dict[str, pd.DataFrame], descriptor: dict[str, Any]) -> dict[str, bytes]:
    """Every figure as PNG bytes, by file name, for loaded tables and their datapackage.json."""
    import matplotlib.style as mstyle

    version, name = str(descriptor.get("version", "?")), str(descriptor.get("name", "russia-dprk-timeline"))
    est = estimates_frame(tables)
    out = {}
    with mstyle.context("default"):
        import matplotlib

        matplotlib.rcParams.update(_style())
        out["timeline.png"] = _png(figure_timeline(tables, version, name))
        for series in SERIES:
            fig = figure_series(series, est, version, name, tables["events"]["date_start"])
            out[f"{series.name}.png"] = _png(fig)
    return out


def figure_files(path: str | os.PathLike[str] | None = None) -> dict[str, bytes]:
    """Every figure as PNG bytes, by file name, for the package at ``path`` (default: the checkout's)."""
    from .load import frames
    from .reader import open_package

    src = open_package(path)
    return figures(frames(src), src.descriptor)
