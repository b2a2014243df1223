"""Differences between two iterations, one parameter moved at a time (domain.md section 5).

From iteration A to iteration B the parameters move in a stated order:
1. definitie (method and forms), 2. peildatum, 3. periode (start and end).
Each effect is the change in the total when that parameter moves and the ones already
moved stay moved; the last step lands exactly on B. The order matters for the size of
each effect (not for the sum), so it is stated with every reconciliation.

Next to the stated order, the order-free (Shapley) decomposition: each effect averaged
over the six orders of the three steps, which sums exactly to the total difference, and
each effect's range (lowest..highest) over the six orders (domain.md section 5). It needs
the published total at all 2**3 = 8 combinations of moved parameters; an effect that
depends on a suppressed total is not computable (None), never a guess.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping
from fractions import Fraction

import pandas as pd

from ..config import Iteration
from . import report

STEPS = (
    ("definitie", ("methode", "vormen")),
    ("peildatum", ("peildatum",)),
    ("periode", ("start", "end")),
)


STEP_NAMES: tuple[str, ...] = tuple(name for name, _ in STEPS)


def combination(a: Iteration, b: Iteration, moved: frozenset[str] | set[str]) -> Iteration:
    """A's parameter set with the steps in `moved` taken from B (the others stay A's)."""
    if not moved:
        return a
    fields = {f: getattr(b, f) for name, fs in STEPS if name in moved for f in fs}
    tag = "+".join(name for name in STEP_NAMES if name in moved)
    # dataclasses.replace keeps the period fixed when only the peildatum moves
    return dataclasses.replace(a, **fields, id=f"{a.id}>{tag}")


def path(a: Iteration, b: Iteration) -> list[tuple[str, Iteration]]:
    """The parameter sets from A to B: ('start', A), ('definitie', ...), ..., ending at B."""
    out = [("start", a)]
    for i, name in enumerate(STEP_NAMES):
        out.append((name, combination(a, b, frozenset(STEP_NAMES[: i + 1]))))
    return out


def decomposition(a: Iteration, b: Iteration, *, maat: str = "aanvragen") -> pd.DataFrame:
    """Published totals (category `alle`) at each step and the effects between them.

    Totals are rounded from exact totals; an effect is the difference of two published
    totals, so the waterfall adds up exactly to what the two iterations publish.
    """
    rows = []
    prev = None
    for name, it in path(a, b):
        value = published_total(it, maat)
        if isinstance(value, str):  # suppressed total: compute nothing from it
            value_num = None
        else:
            value_num = value
        rows.append(
            {
                "stap": name,
                "vormen": "+".join(it.vormen),
                "methode": it.methode,
                "peildatum": it.peildatum.isoformat(),
                "periode": f"{it.start.isoformat()} t/m {it.end.isoformat()}",
                "totaal": value,
                "effect": (None if name == "start" or prev is None or value_num is None else value_num - prev),
            }
        )
        prev = value_num
    return pd.DataFrame(rows)


def waterfall_steps(dec: pd.DataFrame, a_id: str, b_id: str) -> pd.DataFrame:
    """Rows for figures.waterfall: A's total, the three effects, B's total."""
    labels = {"definitie": "definitie", "peildatum": "peildatum", "periode": "periode"}
    rows = [{"stap": a_id, "waarde": dec.loc[0, "totaal"], "soort": "totaal"}]
    for _, r in dec.iloc[1:].iterrows():
        rows.append({"stap": labels[r["stap"]], "waarde": r["effect"], "soort": "effect"})
    rows.append({"stap": b_id, "waarde": dec.iloc[-1]["totaal"], "soort": "totaal"})
    return pd.DataFrame(rows)


def check_lands_on_b(dec: pd.DataFrame, b: Iteration, maat: str = "aanvragen") -> bool:
    """The last step must reproduce B's own published total."""
    return dec.iloc[-1]["totaal"] == report.total(b, "alle", maat)


# ------------------------------------------------------------------ order-free (Shapley)

Value = Fraction | int | None


def published_total(it: Iteration, maat: str) -> int | str:
    """The published `alle` total of a parameter set (int), or its symbol (`<10`, `x`).

    An intermediate parameter set is no iteration anyone asked for: disclosure control may
    find no safe way to publish its table. Then its total is not published ('x') and the
    effects that depend on it are not computable.
    """
    from ..protection.disclosure import ProtectionError

    try:
        return report.total(it, "alle", maat)
    except ProtectionError:
        return "x"


def published_value(it: Iteration, maat: str) -> int | None:
    """The published `alle` total of a parameter set; None when it is suppressed (`<10`, `x`)."""
    value = published_total(it, maat)
    return None if isinstance(value, str) else int(value)


def combinations(a: Iteration, b: Iteration) -> dict[frozenset[str], Iteration]:
    """The parameter set at each of the 8 combinations of moved steps (keys: the moved steps)."""
    out = {}
    for k in range(len(STEP_NAMES) + 1):
        for moved in itertools.combinations(STEP_NAMES, k):
            out[frozenset(moved)] = combination(a, b, frozenset(moved))
    return out


def combination_values(
    a: Iteration, b: Iteration, value: Callable[[Iteration], int | None]
) -> dict[frozenset[str], int | None]:
    """The value at each of the 8 combinations of moved steps (keys: the moved steps)."""
    return {moved: value(it) for moved, it in combinations(a, b).items()}


def _gain(v: Mapping[frozenset[str], Value], before: frozenset[str], step: str) -> Value:
    lo, hi = v[before], v[before | {step}]
    return None if lo is None or hi is None else hi - lo


def order_effects(
    v: Mapping[frozenset[str], Value], steps: tuple[str, ...] = STEP_NAMES
) -> dict[tuple[str, ...], dict[str, Value]]:
    """For every order of the steps, each step's effect (change when it moves in that order)."""
    out = {}
    for order in itertools.permutations(steps):
        effects, before = {}, frozenset()
        for step in order:
            effects[step] = _gain(v, before, step)
            before = before | {step}
        out[order] = effects
    return out


def shapley(v: Mapping[frozenset[str], Value], steps: tuple[str, ...] = STEP_NAMES) -> pd.DataFrame:
    """Per step: the effect in the stated order, the Shapley value (exact Fraction, the mean
    over all orders) and the lowest and highest effect over the orders; None where a value
    it needs is missing (a suppressed total). Sum of the Shapley values = v[all] - v[none].
    """
    per_order = order_effects(v, steps)
    rows = []
    for step in steps:
        gains = [e[step] for e in per_order.values()]
        complete = all(g is not None for g in gains)
        rows.append(
            {
                "stap": step,
                "volgorde": per_order[steps][step],
                "shapley": Fraction(sum(gains), len(gains)) if complete else None,
                "laagste": min(gains) if complete else None,
                "hoogste": max(gains) if complete else None,
            }
        )
    return pd.DataFrame(rows)


def orderfree(a: Iteration, b: Iteration, *, maat: str = "aanvragen") -> pd.DataFrame:
    """The order-free decomposition from A to B from published `alle` totals, with a last
    row `totaal` (the total difference B - A)."""
    v = combination_values(a, b, lambda it: published_value(it, maat))
    out = shapley(v)
    start, end = v[frozenset()], v[frozenset(STEP_NAMES)]
    diff = None if start is None or end is None else end - start
    total = {
        "stap": "totaal",
        "volgorde": diff,
        "shapley": None if diff is None else Fraction(diff),
        "laagste": diff,
        "hoogste": diff,
    }
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def sums_exactly(of: pd.DataFrame) -> bool:
    """The Shapley effects add up exactly to the total difference (when computable)."""
    parts = of.loc[of["stap"] != "totaal", "shapley"].tolist()
    total = of.loc[of["stap"] == "totaal", "shapley"].iloc[0]
    if total is None or any(p is None for p in parts):
        return True  # nothing computed, nothing to add up
    return sum(parts, Fraction(0)) == total


def orderfree_steps(of: pd.DataFrame, a_total, b_total, a_id: str, b_id: str) -> pd.DataFrame:
    """Rows for figures.waterfall with the Shapley effects and their ranges over the orders."""
    rows = [{"stap": a_id, "waarde": a_total, "soort": "totaal", "laagste": None, "hoogste": None}]
    for r in of[of["stap"] != "totaal"].itertuples():
        rows.append(
            {
                "stap": r.stap,
                "waarde": None if r.shapley is None else float(r.shapley),
                "soort": "effect",
                "laagste": r.laagste,
                "hoogste": r.hoogste,
            }
        )
    rows.append({"stap": b_id, "waarde": b_total, "soort": "totaal", "laagste": None, "hoogste": None})
    return pd.DataFrame(rows)
