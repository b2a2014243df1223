"""matplotlib figures, always drawn from protected (published) tables, never exact counts.

Deterministic output: fixed SVG hash salt, no dates or software names in metadata.
Colours: the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..config import FORM_LABELS, FORMS  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
HATCHES = ["", "//", "..", "xx"]


def setup() -> None:
    """House style and deterministic metadata for every figure."""
    from . import report

    report.setup()  # the tables' display
    plt.rcParams.update(
        {
            "svg.hashsalt": "gestapeld",
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": 100,
            "savefig.dpi": 100,
        }
    )
    try:  # inline figures in notebooks: no software name in the PNG
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            ip.run_line_magic(
                "config", "InlineBackend.print_figure_kwargs = {'metadata': {'Software': None}, 'bbox_inches': 'tight'}"
            )
            ip.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
    except ImportError:
        pass


def show(fig: plt.Figure) -> None:
    """Display a figure exactly once (papermill and nbval alike), then close it."""
    from IPython.display import display

    display(fig)
    plt.close(fig)


def save(fig: plt.Figure, path: Path | str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"Date": None, "Creator": None} if path.suffix == ".svg" else {"Software": None}
    fig.savefig(path, metadata=meta, bbox_inches="tight")


def _number(value) -> float:
    """A published value as a number; suppressed (`<10`, `x`) or unknown values are NaN."""
    if value is None:
        return float("nan")
    if isinstance(value, str):
        text = value.strip()
        return float(text) if text.lstrip("+-").isdigit() else float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _mark(value) -> str:
    """What a missing bar shows: the published symbol, or 'x' when nothing is known."""
    if isinstance(value, str) and value.strip() and not value.strip().lstrip("+-").isdigit():
        return value.strip()
    return "x"


SUPPRESSED_NOTE = "<10: minder dan 10 (afgeschermd), niet getekend; x: extra afgeschermd, niet getekend"
SYMBOL_NOTES = {"<10": "<10: minder dan 10 (afgeschermd), niet getekend", "x": "x: extra afgeschermd, niet getekend"}


def _suppressed_note(marks: set[str]) -> str:
    """The note under a chart for the marks it shows, each explained (issue 25)."""
    known = [SYMBOL_NOTES[m] for m in ("<10", "x") if m in marks]
    other = sorted(m for m in marks if m not in SYMBOL_NOTES)
    return "; ".join(known + [f"{m}: niet te berekenen, niet getekend" for m in other])


def source_label() -> str:
    """The data source every chart names in its title, so a screenshot keeps its label:
    'synthetische gegevens' on the default build, the extract on a real one."""
    from . import report

    return report.data_source()["kort"]


def _title(ax, titel: str) -> None:
    ax.set_title(f"{titel}\n({source_label()})", fontsize=10)


def _dutch_axis(ax) -> None:
    """Dutch thousands separator on the value axis (2.000, not 2000)."""
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _nl(v, sign=False)))


def series_by_year(wide: pd.DataFrame, *, maat: str, titel: str, ylabel: str) -> plt.Figure:
    """Grouped bars per year and form from a published wide table (categorie, jaar, measures).

    Suppressed cells (NaN after `report.numeric_wide`, or `<10`/`x` text) are drawn as
    missing, never as 0: no bar, a small mark on the axis, and a note under the figure.
    """
    setup()
    data = wide[~wide["categorie"].isin(["alle", "nareis_totaal"])]
    data = data[data["jaar"].astype(str) != "totaal"]  # the published (text) table has period totals
    data = data.assign(jaar=data["jaar"].astype(int))
    pivot = data.pivot(index="jaar", columns="categorie", values=maat)
    pivot = pivot[[f for f in FORMS if f in pivot.columns]]  # the book's order of the forms
    fig, ax = plt.subplots(figsize=(7, 3.8))
    n = max(1, len(pivot.columns))
    width = 0.8 / n
    marks: set[str] = set()
    for i, cat in enumerate(pivot.columns):
        xs = [x + (i - (n - 1) / 2) * width for x in range(len(pivot.index))]
        raw = list(pivot[cat])
        ys = [_number(v) for v in raw]
        ax.bar(
            xs,
            [0.0 if y != y else y for y in ys],
            width=width,
            label=FORM_LABELS.get(cat, cat),
            color=OKABE_ITO[i % len(OKABE_ITO)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
        )
        for x, y, v in zip(xs, ys, raw):
            if y != y:  # suppressed: no bar (height 0 above), its own symbol instead
                mark = _mark(v) if isinstance(v, str) else "x"
                marks.add(mark)
                ax.annotate(mark, (x, 0), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(pivot.index)), [str(j) for j in pivot.index])
    ax.set_xlabel("jaar van de aanvraag" + (f"\n({_suppressed_note(marks)})" if marks else ""))
    ax.set_ylabel(ylabel)
    _dutch_axis(ax)
    _title(ax, titel)
    ax.legend(frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def _nl(value: float, *, sign: bool) -> str:
    """A number in Dutch notation, whole or with one decimal (Shapley effects are fractions)."""
    text = f"{value:+,.1f}" if sign else f"{value:,.1f}"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text[:-2] if text.endswith(",0") else text


def waterfall(steps: pd.DataFrame, *, titel: str, ylabel: str) -> plt.Figure:
    """Waterfall: start total, one bar per effect, end total (columns stap, waarde, soort).

    A `waarde` may be a published symbol (`<10`, `x`) or missing (None: the effect depends
    on a suppressed total): that bar is not drawn and is labelled with the symbol or "n.b."
    (niet te berekenen); the bars after it start from the next known total. Optional columns
    `laagste` and `hoogste` draw each effect's range over the orders of the steps as a whisker.
    """
    setup()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    running: float | None = 0.0
    marks: set[str] = set()
    whisker = False
    has_range = "laagste" in steps.columns and "hoogste" in steps.columns
    for i, row in enumerate(steps.to_dict("records")):
        raw = row["waarde"]
        value = _number(raw) if not isinstance(raw, (int, float)) or isinstance(raw, bool) else float(raw)
        known = value == value
        unknown_label = _mark(raw) if isinstance(raw, str) else "n.b."
        if row["soort"] == "totaal":
            if known:
                ax.bar(i, value, color=OKABE_ITO[0])
            else:
                marks.add(unknown_label)
            running = value if known else None
            label_y, label = (value if known else 0), (_nl(value, sign=False) if known else unknown_label)
        elif not known:
            marks.add(unknown_label)
            running = None
            label_y, label = 0, unknown_label
        elif running is None:  # a known effect on an unknown level: its number, but no bar
            label_y, label = 0, _nl(value, sign=True)
        else:
            bottom = running if value >= 0 else running + value
            ax.bar(
                i,
                abs(value),
                bottom=bottom,
                color=OKABE_ITO[1] if value >= 0 else OKABE_ITO[5],
                hatch="//" if value < 0 else "",
            )
            lo, hi = (row.get("laagste"), row.get("hoogste")) if has_range else (None, None)
            top = None
            if lo is not None and hi is not None and lo == lo and hi == hi:
                whisker = True
                top = running + max(float(lo), float(hi))
                # the effect's range over the six orders, drawn from the same starting level
                ax.vlines(i, running + float(lo), running + float(hi), color=OKABE_ITO[7], linewidth=1.5)
                ax.hlines(
                    [running + float(lo), running + float(hi)], i - 0.12, i + 0.12, color=OKABE_ITO[7], linewidth=1.5
                )
            running += value
            label_y, label = (running if value >= 0 else bottom), _nl(value, sign=True)
            if top is not None:  # above the whisker, so the label and the range do not overlap
                label_y = max(label_y, top)
        ax.annotate(
            label, (i, label_y), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=9
        )
    ax.set_xticks(range(len(steps)), steps["stap"], rotation=0, fontsize=9)
    if marks:
        ax.set_xlabel(_suppressed_note(marks), fontsize=8)
    if whisker:
        from matplotlib.lines import Line2D

        ax.legend(
            handles=[Line2D([0], [0], color=OKABE_ITO[7], linewidth=1.5)],
            labels=["bereik van het effect over de zes volgordes"],
            frameon=False,
            fontsize=8,
            loc="upper left",
        )
    ax.set_ylabel(ylabel)
    _dutch_axis(ax)
    _title(ax, titel)
    ax.margins(y=0.12)
    fig.tight_layout()
    return fig


def timeline(events: list[dict], *, titel: str) -> plt.Figure:
    """The process sketch as a dated line; requests (iterations) highlighted."""
    setup()
    import matplotlib.dates as mdates

    fig, ax = plt.subplots(figsize=(9, 5.2))
    for i, e in enumerate(events):
        y = len(events) - i
        is_req = bool(e.get("iteratie"))
        ax.plot(
            [e["datum"]],
            [y],
            marker="D" if is_req else "o",
            markersize=8 if is_req else 5,
            color=OKABE_ITO[5] if is_req else OKABE_ITO[0],
        )
        label = (f"[{e['iteratie']}] " if is_req else "") + str(e["gebeurtenis"])
        ax.annotate(
            label,
            (e["datum"], y),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            fontweight="bold" if is_req else "normal",
        )
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%Y"))
    ax.set_xlabel("datum")
    ax.set_title(titel)
    lo, hi = events[0]["datum"], events[-1]["datum"]
    import datetime as _dt

    # the axis ends shortly after the last event (the labels may run past it)
    ax.set_xlim(lo - _dt.timedelta(days=20), hi + _dt.timedelta(days=40))
    fig.tight_layout()
    return fig
