"""Figures draw suppressed cells as missing, never as 0, and never crash on a symbol."""

import math

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402

from gestapeld.publication import figures, report  # noqa: E402


def _bars(fig):
    return [p for p in fig.axes[0].patches]


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_waterfall_with_a_suppressed_total_and_an_unknown_effect():
    steps = pd.DataFrame(
        {
            "stap": ["v1", "definitie", "peildatum", "periode", "v3"],
            "waarde": ["<10", None, 40, None, 120],
            "soort": ["totaal", "effect", "effect", "effect", "totaal"],
        }
    )
    fig = figures.waterfall(steps, titel="t", ylabel="y")
    labels = _texts(fig)
    # the suppressed total shows its symbol, an effect that cannot be computed 'n.b.' (niet te
    # berekenen, as in the reconciliation table); a known effect its number
    assert labels == ["<10", "n.b.", "+40", "n.b.", "120"]
    heights = sorted(round(b.get_height()) for b in _bars(fig))
    # one bar: nothing for '<10' or the unknown effects, and the +40 has no known level to stand on
    assert heights == [120]
    assert "afgeschermd" in fig.axes[0].get_xlabel()


def test_series_by_year_leaves_suppressed_bars_out():
    wide = pd.DataFrame(
        {
            "categorie": ["nareis_op_nareis"] * 3 + ["alle"] * 3,
            "jaar": ["2019", "2020", "totaal"] * 2,
            "aanvragen": ["<10", "30", "30", "20", "40", "60"],
        }
    )
    num = report.numeric_wide(wide)
    cell = num.loc[(num["categorie"] == "nareis_op_nareis") & (num["jaar"] == 2019), "aanvragen"].item()
    assert math.isnan(cell)  # missing, not 0
    fig = figures.series_by_year(num, maat="aanvragen", titel="t", ylabel="y")
    heights = [b.get_height() for b in _bars(fig)]
    assert heights == [0.0, 30.0]  # the suppressed year gets no visible bar ...
    assert "x" in _texts(fig)  # ... but a mark
    assert "afgeschermd" in fig.axes[0].get_xlabel()


def test_published_text_words_for_symbols():
    assert report.published_text("<10") == "minder dan 10"
    assert report.published_text("x") == "afgeschermd"
    assert report.published_text(1230) == "1.230"  # the book's Dutch thousands separator
    assert report.published_text(1230, lang="en") == "1,230"  # the English page in English format (issue 25)
    assert report.published_text("<10", lang="en") == "fewer than 10"
