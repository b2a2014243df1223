"""An attacker written from the published policy, not from the protection code.

It reads what one iteration page publishes (key -> text) and knows only the rules on the
page `beveiliging` ("De regels", "Wat dit betekent voor de lezer") and the definitions
(`methode`). It builds its own integer program (scipy's HiGHS, `milp`) and counts, for
every hidden cell, the values that remain possible: not the width of a range, the values
(every value between the smallest and the largest is tried when fewer than five were seen).

What a reader knows, rule by rule:
  rule 4: a number v was rounded half up from v-5 .. v+4; numbers are 10 or more;
  rule 2: 0 is exactly 0;
  rules 1 and 3: `<10` is 1..9; a measure of a group (form and year) whose applications
    are `<10` may be 0; when that group's applications are not shown as a number or `<10`
    (hidden by `x`, or a subtotal that is not published), the measure is 1..9 or the group
    has fewer than 10 applications and the measure is 0..9;
  `x`: any count, 0 or more;
  definitions: aanvragen = inwilligingen + afwijzingen + overig beeindigd + lopend;
    alle = sum of the forms (not personen); a period total ('totaal') or subtotal
    ('2019-2022') = sum of its years; depth classes sum to alle's applications (for the
    time series), time classes and own-permit classes to each form's; a group has at most
    as many referents as applications (personen <= aanvragen), and at least one if it has
    any; a form's referents <= alle's <= the sum of the forms'; all nareis >= the nareis forms.

Every point the solver returns is checked in integers against all of this; a point that
fails is an error of the solver or of this model, and the test fails.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

OUTCOMES = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")
CAP = 10**6  # an unbounded cell is capped: only ever fewer possible tables, a stronger attacker
NEED = 5


def _model(page: dict[tuple, str], forms: list[str], *, chains: bool):
    keys = sorted(page)
    years = sorted({j for _, j, _ in keys if j.isdigit()})
    periods = {"totaal": years, "2019-2022": [y for y in years if "2019" <= y <= "2022"]}
    # unpublished subtotals of applications: a reader sums them from the years
    for c, j, m in list(keys):
        if j in periods and (c, j, "aanvragen") not in page and (c, j, "aanvragen") not in keys:
            if all((c, y, "aanvragen") in page for y in periods[j]):
                keys.append((c, j, "aanvragen"))
    ix = {k: i for i, k in enumerate(keys)}
    lo, hi = np.zeros(len(keys)), np.zeros(len(keys))
    either = []  # (cell, its group's applications): cell >= 1 or group <= 9
    for k in keys:
        text = page.get(k)
        cat, jaar, maat = k
        if text is None or text == "x":
            lo[ix[k]], hi[ix[k]] = 0, CAP
        elif text == "0":
            lo[ix[k]], hi[ix[k]] = 0, 0
        elif text == "<10":
            group = page.get((cat, jaar, "aanvragen"))
            if maat == "aanvragen" or ":" in maat or (group is not None and group not in ("<10", "x")):
                lo[ix[k]], hi[ix[k]] = 1, 9
            elif group == "<10":
                lo[ix[k]], hi[ix[k]] = 0, 9
            elif (cat, jaar, "aanvragen") in ix:
                lo[ix[k]], hi[ix[k]] = 0, 9
                either.append((ix[k], ix[(cat, jaar, "aanvragen")]))
            else:
                lo[ix[k]], hi[ix[k]] = 1, 9
        else:
            v = int(text)
            lo[ix[k]], hi[ix[k]] = max(10, v - 5), v + 4
    for k in keys:  # a group with applications has a referent
        if k[2] == "personen" and (k[0], k[1], "aanvragen") in ix and lo[ix[(k[0], k[1], "aanvragen")]] >= 1:
            lo[ix[k]] = max(lo[ix[k]], 1)
    rows: list[tuple[dict, float, float]] = []

    def equal(total, parts):
        if total in ix and parts and all(p in ix for p in parts):
            c = {ix[total]: 1}
            for p in parts:
                c[ix[p]] = c.get(ix[p], 0) - 1
            rows.append((c, 0, 0))

    def at_most(small, large):
        if small and large and all(p in ix for p in small) and all(p in ix for p in large):
            c: dict = {}
            for p in small:
                c[ix[p]] = c.get(ix[p], 0) + 1
            for p in large:
                c[ix[p]] = c.get(ix[p], 0) - 1
            rows.append((c, -np.inf, 0))

    jaren = [*years, *periods]
    for cat, jaar in sorted({(c, j) for c, j, _ in keys}):
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
    for cat, label, m in sorted({(c, j, m) for c, j, m in keys if j in periods}):
        equal((cat, label, m), [(cat, y, m) for y in periods[label]])
    if chains:
        equal(("alle", "totaal", "aanvragen"), [k for k in keys if k[2].startswith("diepte:")])
    for f in forms:
        for prefix in ("tussentijd:", "eigen_vergunning:"):
            equal((f, "totaal", "aanvragen"), [k for k in keys if k[0] == f and k[2].startswith(prefix)])
    A = np.zeros((len(rows), len(keys)))
    for r, (c, _, _) in enumerate(rows):
        for i, v in c.items():
            A[r, i] = v
    return keys, ix, A, np.array([r[1] for r in rows], float), np.array([r[2] for r in rows], float), lo, hi, either


class Attacker:
    def __init__(self, page, forms, *, chains: bool):
        self.keys, self.ix, A, rlo, rhi, lo, hi, either = _model(page, forms, chains=chains)
        self.A, self.rlo, self.rhi, self.lo, self.hi, self.either = A, rlo, rhi, lo, hi, either
        n = len(self.keys)
        # the disjunction with a binary s per pair (s = 1: the group is small):
        # cell + s >= 1 and group + (M - 9) s <= M, M the group's own largest value
        extra = []
        for cell, group in either:
            c = np.zeros(n)
            c[group] = -1
            res = linprog(
                c,
                A_ub=A[np.isinf(rlo)] if len(A) else None,
                b_ub=rhi[np.isinf(rlo)] if len(A) else None,
                A_eq=A[~np.isinf(rlo)] if len(A) else None,
                b_eq=rhi[~np.isinf(rlo)] if len(A) else None,
                bounds=list(zip(lo, hi)),
                method="highs",
            )
            big = int(np.floor(-res.fun + 1e-6)) if res.status == 0 else CAP
            extra.append((cell, group, big))
        m = len(extra)
        full = np.zeros((len(A) + 2 * m, n + m))
        flo, fhi = np.zeros(len(A) + 2 * m), np.zeros(len(A) + 2 * m)
        full[: len(A), :n], flo[: len(A)], fhi[: len(A)] = A, rlo, rhi
        for b, (cell, group, big) in enumerate(extra):
            r = len(A) + 2 * b
            full[r, cell], full[r, n + b], flo[r], fhi[r] = 1, 1, 1, np.inf
            full[r + 1, group], full[r + 1, n + b] = 1, max(big - 9, 0)
            flo[r + 1], fhi[r + 1] = -np.inf, max(big, 9)
        self.n = n
        # sparse: milp would convert a dense matrix again on every solve
        self.cons = LinearConstraint(sparse.csr_array(full), flo, fhi)
        self.blo, self.bhi = np.concatenate([lo, np.zeros(m)]), np.concatenate([hi, np.ones(m)])

    def valid(self, x) -> bool:
        x = np.asarray(x[: self.n], dtype=np.int64)
        if (x < self.lo).any() or (x > self.hi).any():
            return False
        ax = self.A.astype(np.int64) @ x if len(self.A) else np.zeros(0)
        if (ax < self.rlo).any() or (ax > self.rhi).any():
            return False
        return all(x[c] >= 1 or x[g] <= 9 for c, g in self.either)

    def solve(self, c, lo=None, hi=None):
        cc = np.zeros(len(self.blo))
        cc[: self.n] = c
        res = milp(
            cc,
            constraints=self.cons,
            integrality=np.ones(len(self.blo)),
            bounds=Bounds(self.blo if lo is None else lo, self.bhi if hi is None else hi),
            options={"mip_rel_gap": 0},
        )
        if res.status != 0:
            return None
        x = np.round(res.x).astype(np.int64)
        assert self.valid(x), "the solver returned a table that breaks the policy"
        return x[: self.n]

    def values(self, hidden: list[tuple], *, start=()) -> dict[tuple, tuple[int, int, int]]:
        """(smallest, largest, number of possible values up to 5) of each hidden cell."""
        seen = {k: set() for k in hidden}

        def witness(x):
            for k in hidden:
                seen[k].add(int(x[self.ix[k]]))

        for x in start:
            assert self.valid(x), "the exact table breaks the attacker's model"
            witness(x)
        for sign in (1, -1):
            c = np.zeros(self.n)
            for k in hidden:
                c[self.ix[k]] = sign
            x = self.solve(c)
            assert x is not None, "the page contradicts its own policy"
            witness(x)
        out = {}
        for k in hidden:
            if len(seen[k]) >= NEED:
                out[k] = (min(seen[k]), max(seen[k]), NEED)
                continue
            ends = []
            for sign in (1, -1):
                # a checked table already puts the cell on its own bound (1 for `<10`, say):
                # no value lies beyond it, so that end needs no solve
                bound = int((self.blo if sign == 1 else self.bhi)[self.ix[k]])
                if bound in seen[k]:
                    ends.append(bound)
                    continue
                c = np.zeros(self.n)
                c[self.ix[k]] = sign
                x = self.solve(c)
                witness(x)
                ends.append(int(x[self.ix[k]]))
            a, b = ends
            for v in range(a, b + 1):  # probe the values between, as a reader would
                if len(seen[k]) >= NEED:
                    break
                if v in seen[k]:
                    continue
                lo, hi = self.blo.copy(), self.bhi.copy()
                lo[self.ix[k]] = hi[self.ix[k]] = v
                x = self.solve(np.zeros(self.n), lo, hi)
                if x is not None:
                    witness(x)
            out[k] = (a, b, min(len(seen[k]), NEED))
        return out


def unsafe_cells(page: dict[tuple, str], forms: list[str], *, chains: bool, exact: dict | None = None) -> list:
    """Hidden cells with fewer than 5 possible values; a certain 0 reveals no one."""
    att = Attacker(page, forms, chains=chains)
    hidden = [k for k, v in page.items() if v in ("<10", "x")]
    start = []
    if exact is not None:
        x = np.array([exact.get(k, 0) for k in att.keys], dtype=np.int64)
        years = sorted({j for _, j, _ in att.keys if j.isdigit()})
        for i, k in enumerate(att.keys):  # an unpublished subtotal is the sum of its years
            if k not in exact and k not in page:
                span = years if k[1] == "totaal" else [y for y in years if "2019" <= y <= "2022"]
                x[i] = sum(exact.get((k[0], y, k[2]), 0) for y in span)
        start = [x]
    got = att.values(hidden, start=start)
    return sorted(k for k, (a, b, n) in got.items() if b > 0 and n < NEED)


# ------------------------------------------------------------------ random extracts

ITERATIONS = ("v0", "v1", "v2", "v3")


def random_cases(n: int = 200) -> list[tuple[int, float, str]]:
    """(seed, scale, iteration): scales 0.01 to 0.5, mostly small (where disclosure is
    hard), a different seed each, the iterations in turn (every one n/4 times)."""
    rng = np.random.default_rng(20261206)
    scales = [0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5]
    w = np.array([8, 8, 6, 5, 3, 2, 1.5, 1, 0.5, 0.3])
    return [(1000 + i, float(rng.choice(scales, p=w / w.sum())), ITERATIONS[i % 4]) for i in range(n)]


def protect_and_attack(case: tuple[int, float, str]) -> dict:
    """One random extract: simulated, counted for one iteration, protected as a page is,
    then attacked. Returns the cells the attacker narrows (keys only) and what secondary
    suppression hid (cells, and the sum of their exact counts: synthetic data)."""
    from gestapeld import config
    from gestapeld.engine import counts, synth
    from gestapeld.protection import disclosure
    from gestapeld.publication import report

    seed, scale, iteration = case
    it = config.iteration(iteration)
    res = counts.compute(synth.generate(seed=seed, scale=scale), it)
    cells, exact, _ = report.page_cells(res, disclosure.DEFAULT)
    page, _ = report.protect_result(res)
    hidden = [k for k, v in page.items() if v == "x"]
    return {
        "case": f"{seed}/{scale}/{iteration}",
        "same_cells": page.keys() == cells.keys() and all(v in (cells[k], "x") for k, v in page.items()),
        "unsafe": unsafe_cells(page, list(it.vormen), chains=it.methode == "longitudinal", exact=exact),
        "x": len(hidden),
        "lost": sum(exact[k] for k in hidden),
    }
