"""Differences between two iterations, one parameter moved at a time (domain.md section 5).

From iteration A to iteration B the parameters move in a stated order:
1. definitie (method and forms), 2. peildatum, 3. periode (start and end).
Each effect is the change in the total when that parameter moves and the ones already
moved stay moved; the last step lands exactly on B. The order matters for the size of
each effect (not for the sum), so it is stated with every reconciliation.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from . import report
from .config import Iteration

STEPS = (
    ("definitie", ("methode", "vormen")),
    ("peildatum", ("peildatum",)),
    ("periode", ("start", "end")),
)


def path(a: Iteration, b: Iteration) -> list[tuple[str, Iteration]]:
    """The parameter sets from A to B: ('start', A), ('definitie', ...), ..., ending at B."""
    out = [("start", a)]
    cur = a
    for name, fields in STEPS:
        # dataclasses.replace keeps the period fixed when only the peildatum moves
        cur = dataclasses.replace(cur, **{f: getattr(b, f) for f in fields}, id=f"{a.id}>{name}")
        out.append((name, cur))
    return out


def decomposition(a: Iteration, b: Iteration, *, maat: str = "aanvragen") -> pd.DataFrame:
    """Published totals (category `alle`) at each step and the effects between them.

    Totals are rounded from exact totals; an effect is the difference of two published
    totals, so the waterfall adds up exactly to what the two iterations publish.
    """
    rows = []
    prev = None
    for name, it in path(a, b):
        value = report.total(it, "alle", maat)
        if isinstance(value, str):  # suppressed total: compute nothing from it
            value_num = None
        else:
            value_num = value
        rows.append({
            "stap": name,
            "vormen": "+".join(it.vormen),
            "methode": it.methode,
            "peildatum": it.peildatum.isoformat(),
            "periode": f"{it.start.isoformat()} t/m {it.end.isoformat()}",
            "totaal": value,
            "effect": (None if name == "start" or prev is None or value_num is None else value_num - prev),
        })
        prev = value_num
    return pd.DataFrame(rows)


def waterfall_steps(dec: pd.DataFrame, a_id: str, b_id: str) -> pd.DataFrame:
    """Rows for figures.waterfall: A's total, the three effects, B's total."""
    labels = {"definitie": "definitie", "peildatum": "peildatum", "periode": "periode"}
    rows = [{"stap": a_id, "waarde": dec.loc[0, "totaal"], "soort": "totaal"}]
    for _, r in dec.iloc[1:].iterrows():
        rows.append({"stap": labels[r["stap"]], "waarde": r["effect"] or 0, "soort": "effect"})
    rows.append({"stap": b_id, "waarde": dec.iloc[-1]["totaal"], "soort": "totaal"})
    return pd.DataFrame(rows)


def check_lands_on_b(dec: pd.DataFrame, b: Iteration, maat: str = "aanvragen") -> bool:
    """The last step must reproduce B's own published total."""
    return dec.iloc[-1]["totaal"] == report.total(b, "alle", maat)

