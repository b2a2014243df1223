"""The reconciliation between iterations: registratiedatum in the as-of rule, the
sequential and the order-free (Shapley) decomposition (domain.md sections 4, 5 and 7)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest

from gestapeld import config
from gestapeld.engine import counts, extract
from gestapeld.publication import reconcile

D, P, Q = "definitie", "peildatum", "periode"


def v_of(**values):
    """A fake value function over the 8 combinations: keys like 'dp' = {definitie, peildatum}."""
    names = {"d": D, "p": P, "q": Q}
    return {frozenset(names[c] for c in key.strip("_")): val for key, val in values.items()}


# v(none)=100, v(d)=160, v(p)=110, v(q)=130, v(dp)=180, v(dq)=220, v(pq)=140, v(dpq)=250.
HAND = v_of(_=100, d=160, p=110, q=130, dp=180, dq=220, pq=140, dpq=250)
# Effects per order, worked out by hand (each is v(before + step) - v(before)):
#   d,p,q: d=160-100=60   p=180-160=20  q=250-180=70
#   d,q,p: d=60           q=220-160=60  p=250-220=30
#   p,d,q: p=110-100=10   d=180-110=70  q=250-180=70
#   p,q,d: p=10           q=140-110=30  d=250-140=110
#   q,d,p: q=130-100=30   d=220-130=90  p=250-220=30
#   q,p,d: q=30           p=140-130=10  d=250-140=110
# Shapley (mean over the six orders):
#   d = (60+60+70+110+90+110)/6 = 500/6 = 250/3
#   p = (20+30+10+10+30+10)/6   = 110/6 = 55/3
#   q = (70+60+70+30+30+30)/6   = 290/6 = 145/3
#   sum = 450/3 = 150 = 250 - 100.  Ranges: d 60..110, p 10..30, q 30..70.


def test_shapley_hand_computed_case():
    out = reconcile.shapley(HAND).set_index("stap")
    assert out.loc[D, "shapley"] == Fraction(250, 3)
    assert out.loc[P, "shapley"] == Fraction(55, 3)
    assert out.loc[Q, "shapley"] == Fraction(145, 3)
    assert sum(out["shapley"], Fraction(0)) == 150
    assert (out.loc[D, "laagste"], out.loc[D, "hoogste"]) == (60, 110)
    assert (out.loc[P, "laagste"], out.loc[P, "hoogste"]) == (10, 30)
    assert (out.loc[Q, "laagste"], out.loc[Q, "hoogste"]) == (30, 70)
    # the stated order definitie -> peildatum -> periode
    assert list(out["volgorde"]) == [60, 20, 70]


def test_suppressed_total_makes_dependent_effects_not_computable():
    # v(pq) suppressed: the orders p,q,d and q,p,d need it, so every Shapley value and
    # range depends on it (each step's gain passes through pq in one order); the stated
    # order d,p,q does not use it: 60, 20, 70 as above.
    hidden = {**HAND, frozenset({P, Q}): None}
    out = reconcile.shapley(hidden).set_index("stap")
    assert out["shapley"].isna().all() and out["laagste"].isna().all()
    assert list(out["volgorde"]) == [60, 20, 70]
    # v(d) suppressed: the stated order loses definitie and peildatum, keeps periode (250-180)
    out2 = reconcile.shapley({**HAND, frozenset({D}): None}).set_index("stap")
    assert pd.isna(out2.loc[D, "volgorde"]) and pd.isna(out2.loc[P, "volgorde"])
    assert out2.loc[Q, "volgorde"] == 70


def test_waterfall_draws_not_computable_effects():
    from gestapeld.publication import figures

    steps = pd.DataFrame(
        [
            {"stap": "v1", "waarde": 100, "soort": "totaal", "laagste": None, "hoogste": None},
            {"stap": D, "waarde": None, "soort": "effect", "laagste": None, "hoogste": None},
            {"stap": P, "waarde": 55 / 3, "soort": "effect", "laagste": 10, "hoogste": 30},
            {"stap": "v3", "waarde": 250, "soort": "totaal", "laagste": None, "hoogste": None},
        ]
    )
    fig = figures.waterfall(steps, titel="t", ylabel="y")
    labels = [t.get_text() for t in fig.axes[0].texts]
    # after an unknown effect the level is unknown: the next effect keeps its number (as in the
    # table) but gets no bar, since it has no known level to stand on
    assert labels == ["100", "n.b.", "+18,3", "250"]
    heights = sorted(round(p.get_height()) for p in fig.axes[0].patches)
    assert heights == [100, 250]
    figures.plt.close(fig)


# ------------------------------------------------------------------ registratiedatum


def _extract(registratie: str | None) -> pd.DataFrame:
    # P01 refugee (own asylum granted 2018); P02 admitted by nareis on P01 (F1, decided
    # 2018-09-01); X = P03's nareis on P02, filed 2021-05-01 and (maybe) registered later.
    rows = [
        ("Z1", "P01", None, "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
        ("Z2", "P02", "P01", "nareis", "2018-03-01", "2018-09-01", "inwilliging"),
        ("Z3", "P03", "P02", "nareis", "2021-05-01", None, None),
    ]
    df = pd.DataFrame(
        rows, columns=["zaak_id", "persoon_id", "referent_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit"]
    )
    if registratie is not None:
        df["registratiedatum"] = [r[4] for r in rows[:2]] + [registratie]
    return extract.validate(df)


def _aanvragen(df: pd.DataFrame, peildatum: str) -> int:
    it = config.iteration("v3").replace(
        start=dt.date(2019, 1, 1), end=dt.date(2021, 6, 30), peildatum=dt.date.fromisoformat(peildatum)
    )
    return counts.compute(df, it).value("nareis_op_nareis", "aanvragen")


def test_registratiedatum_in_the_as_of_rule():
    # Without the column, X exists from its application date: counted at peildatum 2021-06-30.
    assert _aanvragen(_extract(None), "2021-06-30") == 1
    # Same when registered on the application date (the column equals aanvraagdatum).
    assert _aanvragen(_extract("2021-05-01"), "2021-06-30") == 1
    # Registered 2021-08-01: invisible at 2021-06-30, visible at 2021-09-30 (same period).
    assert _aanvragen(_extract("2021-08-01"), "2021-06-30") == 0
    assert _aanvragen(_extract("2021-08-01"), "2021-09-30") == 1


# ------------------------------------------------------------------ on the default data


@pytest.fixture(scope="module")
def v1_v3():
    assert config.default_data_path().exists(), "run `make data` first"
    from gestapeld.publication import report

    its = config.iterations()
    # as the reconciliation notebook does: the 8 parameter sets counted in one pass
    report.prefetch(reconcile.combinations(its["v1"], its["v3"]).values())
    return its["v1"], its["v3"]


@pytest.mark.parametrize("maat", ["aanvragen", "inwilligingen"])
def test_shapley_sums_exactly_on_default_data(v1_v3, maat):
    from gestapeld.publication import report

    a, b = v1_v3
    of = reconcile.orderfree(a, b, maat=maat)
    parts = of.loc[of["stap"] != "totaal", "shapley"].tolist()
    assert all(isinstance(p, Fraction) for p in parts)
    assert sum(parts, Fraction(0)) == report.total(b, "alle", maat) - report.total(a, "alle", maat)
    assert reconcile.sums_exactly(of)
    seq = reconcile.decomposition(a, b, maat=maat)
    assert list(of["volgorde"][:3]) == list(seq["effect"][1:])  # the stated order is one of the six


def test_peildatum_moves_applications_on_default_data(v1_v3):
    # the synthetic registration lag (book/gegevens.md) makes a later peildatum reveal
    # applications filed before the earlier one: a published effect of at least 10
    a, b = v1_v3
    seq = reconcile.decomposition(a, b, maat="aanvragen").set_index("stap")
    assert seq.loc["peildatum", "effect"] >= 10
