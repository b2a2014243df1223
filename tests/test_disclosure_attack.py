"""Disclosure control on extracts of any size, checked from the outside.

* An attacker written from the published policy (book/beveiliging.md, "De regels" and
  "Wat dit betekent voor de lezer") and the definitions (book/methode.md), NOT from the
  protection code: it reads what one iteration page publishes and builds its own integer
  program (scipy's HiGHS) for the smallest and largest value of every hidden cell.
* A property test: the whole protection on 100 random synthetic extracts (scales 0.01 to
  0.5, a different seed each, every iteration) ends without an error.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from gestapeld import config
from gestapeld.engine import counts, synth
from gestapeld.publication import report

OUTCOMES = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")
BIG = 10**7


def attacker_ranges(page: dict[tuple, str], forms: list[str], *, chains: bool) -> dict[tuple, tuple[int, int]]:
    """Smallest and largest possible value of each hidden cell of a page (key -> text).

    What a reader knows, rule by rule:
      rule 4: a number v was rounded half up from v-5 .. v+4; numbers are 10 or more;
      rule 2: 0 is exactly 0;
      rule 1 and 3: `<10` is 1..9; only a measure of a group (form and year) whose own
        applications are `<10` may be 0;
      secondary suppression `x`: any count, 0 or more;
      definitions: aanvragen = inwilligingen + afwijzingen + overig beeindigd + lopend;
        alle = sum of the forms (not personen); a period total ('totaal') or subtotal
        ('2019-2022') = sum of its years; depth classes sum to alle's applications (for
        the time series), time classes and own-permit classes to each form's; a group has
        at most as many referents as applications, and at least one if it has any; a
        form's referents <= alle's <= the sum of the forms'; all nareis >= the nareis forms.
    """
    keys = sorted(page)
    ix = {k: i for i, k in enumerate(keys)}
    lo, hi = np.zeros(len(keys)), np.zeros(len(keys))
    for k, text in page.items():
        cat, jaar, maat = k
        if text == "0":
            lo[ix[k]], hi[ix[k]] = 0, 0
        elif text == "x":
            lo[ix[k]], hi[ix[k]] = 0, BIG
        elif text == "<10":
            group = page.get((cat, jaar, "aanvragen"))
            small_group = maat != "aanvragen" and ":" not in maat and group in (None, "<10", "x")
            lo[ix[k]], hi[ix[k]] = (0 if small_group else 1), 9
        else:
            v = int(text)
            lo[ix[k]], hi[ix[k]] = max(10, v - 5), v + 4
    for k in keys:  # a group with applications has a referent
        if k[2] == "personen" and lo[ix[(k[0], k[1], "aanvragen")]] >= 1:
            lo[ix[k]] = max(lo[ix[k]], 1)
    rows: list[tuple[dict, float, float]] = []

    def equal(total, parts):
        if total in ix and parts and all(p in ix for p in parts):
            c = {ix[total]: 1.0}
            for p in parts:
                c[ix[p]] = c.get(ix[p], 0.0) - 1.0
            rows.append((c, 0.0, 0.0))

    def at_most(small, large):
        if all(p in ix for p in small) and all(p in ix for p in large) and small and large:
            c: dict = {}
            for p in small:
                c[ix[p]] = c.get(ix[p], 0.0) + 1.0
            for p in large:
                c[ix[p]] = c.get(ix[p], 0.0) - 1.0
            rows.append((c, -np.inf, 0.0))

    years = sorted({j for _, j, _ in keys if j.isdigit()})
    periods = {"totaal": years, "2019-2022": [y for y in years if "2019" <= y <= "2022"]}
    jaren = [*years, *periods]
    for cat, jaar in {(c, j) for c, j, _ in keys}:
        equal((cat, jaar, "aanvragen"), [(cat, jaar, m) for m in OUTCOMES])
        for m in (*OUTCOMES, "personen"):
            at_most([(cat, jaar, m)], [(cat, jaar, "aanvragen")])
    for jaar in jaren:
        for m in ("aanvragen", *OUTCOMES):
            equal(("alle", jaar, m), [(f, jaar, m) for f in forms])
        for f in forms:
            at_most([(f, jaar, "personen")], [("alle", jaar, "personen")])
        at_most([("alle", jaar, "personen")], [(f, jaar, "personen") for f in forms])
        for m in ("aanvragen", "inwilligingen"):
            at_most([(f, jaar, m) for f in forms if f.startswith("nareis_")], [("nareis_totaal", jaar, m)])
    for cat, _, m in {(c, j, m) for c, j, m in keys if not j.isdigit()}:
        for label, span in periods.items():
            equal((cat, label, m), [(cat, y, m) for y in span])
    if chains:
        equal(("alle", "totaal", "aanvragen"), [k for k in keys if k[2].startswith("diepte:")])
    for f in forms:
        for prefix in ("tussentijd:", "eigen_vergunning:"):
            equal((f, "totaal", "aanvragen"), [k for k in keys if k[0] == f and k[2].startswith(prefix)])
    A = np.zeros((len(rows), len(keys)))
    for r, (c, _, _) in enumerate(rows):
        for i, v in c.items():
            A[r, i] = v
    cons = LinearConstraint(A, [r[1] for r in rows], [r[2] for r in rows])
    out = {}
    for k, text in page.items():
        if text not in ("<10", "x"):
            continue
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(keys))
            c[ix[k]] = sign
            res = milp(c, constraints=cons, integrality=np.ones(len(keys)), bounds=Bounds(lo, hi))
            assert res.status == 0, f"the page contradicts its own policy at {k}"
            ends.append(int(round(res.x[ix[k]])))
        out[k] = (ends[0], ends[1])
    return out


def unsafe(ranges: dict) -> list:
    """Hidden cells with fewer than 5 possible values; a certain 0 reveals no one."""
    return sorted(k for k, (a, b) in ranges.items() if b > 0 and b - a + 1 < 5)


_EXTRACTS: dict = {}


def extract(seed: int, scale: float):
    if (seed, scale) not in _EXTRACTS:
        _EXTRACTS.clear()  # one at a time: memory stays small
        _EXTRACTS[(seed, scale)] = synth.generate(seed=seed, scale=scale)
    return _EXTRACTS[(seed, scale)]


def test_attacker_is_not_blind():
    # the attacker finds what the unprotected page of a small extract gives away
    it = config.iteration("v2")
    res = counts.compute(extract(2, 0.02), it)
    cells, _, _ = report._cells(res, report.disclosure.DEFAULT)
    assert unsafe(attacker_ranges(cells, list(it.vormen), chains=True))


@pytest.mark.parametrize(
    "seed,scale,iteration",
    [
        (2, 0.02, "v2"),
        (2, 0.02, "v3"),
        (5, 0.05, "v3"),
        (7, 0.01, "v1"),
        (8, 0.03, "v0"),
        (9, 0.2, "v2"),
    ],
)
def test_attacker_finds_no_narrow_cell_on_the_published_page(seed, scale, iteration):
    it = config.iteration(iteration)
    res = counts.compute(extract(seed, scale), it)
    page, _ = report.protect_result(res)
    # the download carries the same cells as the page's main table, totals included
    long = report.long_table(res, page)
    assert {(c, j, m): a for c, j, m, a in long.itertuples(index=False)}.items() <= page.items()
    assert {j for j in long["jaar"]} >= {"totaal"}
    assert unsafe(attacker_ranges(page, list(it.vormen), chains=it.methode == "longitudinal")) == []


def _cases(n: int = 100) -> list[tuple[int, float, str]]:
    rng = np.random.default_rng(20240216)
    scales = [0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5]
    weights = np.array([6, 6, 5, 5, 4, 3, 2, 2, 1, 0.5])
    its = list(config.iterations())
    return [(100 + i, float(rng.choice(scales, p=weights / weights.sum())), its[i % len(its)]) for i in range(n)]


@pytest.mark.slow  # minutes: 100 extracts simulated, counted and protected
def test_protection_never_fails_on_random_extracts():
    """100 synthetic extracts, each protected for one iteration (every iteration 25 times):
    no exception; a cell is published as computed or hidden as `x`."""
    failures = []
    for seed, scale, iteration in _cases():
        it = config.iteration(iteration)
        res = counts.compute(extract(seed, scale), it)
        cells, _, _ = report._cells(res, report.disclosure.DEFAULT)
        try:
            page, _ = report.protect_result(res)
        except Exception as err:  # noqa: BLE001 - collected, reported together
            failures.append((seed, scale, iteration, type(err).__name__, str(err)[:120]))
            continue
        assert page.keys() == cells.keys()
        for k, text in page.items():
            assert text in (cells[k], "x"), k
    assert failures == []
