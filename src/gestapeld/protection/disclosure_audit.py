"""Differencing audit and secondary suppression: what can a reader of the whole page learn?

Two audits live here.

* `findings` (interval propagation, the first version): fast, but it only knows the sums
  and models every `<10` as 0..9. Kept as a cheap first look and for comparison.
* `lp_findings` (the one that decides): the attacker's integer program. Every cell an
  iteration page publishes is a variable; its published text gives its possible values as
  the policy on the page `beveiliging` tells every reader:
    - a rounded value v: v - base/2 .. v + base/2 - 1, and at least the threshold;
    - `0`: exactly 0;
    - `<10` on a count of applications (aanvragen, a depth, time or permit class): 1..9;
      on another measure: 1..9 when its group's applications are shown as a number, 0..9
      when they are `<10` themselves, and when they are hidden (`x`, or a subtotal that is
      not shown) either 1..9 or, if the group has fewer than 10 applications, 0..9;
    - `x` (secondary suppression, which may hide any cell: a number, a `<10`, a 0): any
      count, 0 or more.
  The definitions add (`Structure`): aanvragen = inwilligingen + afwijzingen +
  overig_beeindigd + lopend; `alle` = the sum of the forms (every measure but personen;
  with one form, `alle` equals it); a period total or subtotal = the sum of its years;
  the depth classes sum to alle's applications, the time classes and the own-permit
  classes to each form's; personen <= aanvragen and at least 1 when there are
  applications; a form's personen <= alle's personen <= the sum of the forms'; all nareis
  applications (and grants) >= those of the nareis forms.
  Exact by construction (issue 24): the disjunction's big-M is the population's own upper
  bound (never a large constant), HiGHS's tolerances are set, and every point it returns
  is re-checked in integers against every bound, relation and disjunction (`AuditError`
  when one fails). What counts is the number of possible VALUES of a hidden cell, not the
  width of its range: witnesses (checked points) are collected, and the values of a narrow
  range are probed one by one. A hidden cell is disclosed when fewer than
  `Policy.min_values` values stay possible, unless it is certainly 0 (a zero singles out
  no one). With the previous edition (`Previous`), the program holds both editions, and
  the cells that can only grow between them (`growing`) are linked; the growth is audited
  like a hidden cell.

`protect` (secondary suppression) hides further published cells, cheapest first, nearest
to a disclosed cell in the relations (a part, a total, a `<10`, or a cell of a related
table), until the integer program finds nothing; then gives back every cell not needed
(largest first) and swaps a hidden number for a smaller one where that protects as well.
Hiding a cell only widens what is possible, and with every cell hidden nothing is narrow,
so the loop ends; `disclosure.ProtectionError` (naming the table) guards a policy that asks
for more than that. Deterministic: the same cells give the same pattern.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys

from ..config import MEASURES

SECONDARY = "x"
INF = math.inf


def interval(text: str, threshold: int, base: int) -> tuple[float, float]:
    if text == SECONDARY:
        return (0, INF)
    if text.startswith("<"):
        return (0, threshold - 1)
    v = int(text)
    if v == 0:
        return (0, 0)
    # round half up: n -> v exactly when v - base/2 <= n < v + base/2
    return (max(threshold, v - base // 2), v + (base - 1) - base // 2)


def relations(cells: dict[tuple, str], forms: list[str]) -> list[tuple[tuple, list[tuple]]]:
    """(total, parts) for every additive identity among the cells."""
    out = []
    years = sorted({k[1] for k in cells if k[1] != "totaal"})
    cats = [*forms, "alle"]
    for cat in cats:
        for y in [*years, "totaal"]:
            parts = [(cat, y, m) for m in ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")]
            if (cat, y, "aanvragen") in cells and all(p in cells for p in parts):
                out.append(((cat, y, "aanvragen"), parts))
    for y in [*years, "totaal"]:
        for m in MEASURES:
            if m == "personen":
                continue
            parts = [(f, y, m) for f in forms]
            if ("alle", y, m) in cells and all(p in cells for p in parts) and len(parts) > 1:
                out.append((("alle", y, m), parts))
    for cat in [*cats, "nareis_totaal"]:
        for m in MEASURES:
            parts = [(cat, y, m) for y in years]
            if (cat, "totaal", m) in cells and all(p in cells for p in parts):
                out.append(((cat, "totaal", m), parts))
    return out


def propagate(cells: dict[tuple, str], rels, threshold: int, base: int) -> dict[tuple, tuple[float, float]]:
    iv = {k: interval(v, threshold, base) for k, v in cells.items()}
    for _ in range(50):
        changed = False
        for total, parts in rels:
            keys = [total, *parts]
            lo = {k: iv[k][0] for k in keys}
            hi = {k: iv[k][1] for k in keys}
            new_t = (max(lo[total], sum(lo[p] for p in parts)), min(hi[total], sum(hi[p] for p in parts)))
            updates = {total: new_t}
            for p in parts:
                others_hi = sum(hi[q] for q in parts if q != p)
                others_lo = sum(lo[q] for q in parts if q != p)
                updates[p] = (max(lo[p], new_t[0] - others_hi), min(hi[p], new_t[1] - others_lo))
            for k, v in updates.items():
                if v != iv[k]:
                    iv[k] = v
                    changed = True
        if not changed:
            break
    return iv


def findings(
    cells: dict[tuple, str], forms: list[str], *, threshold: int, base: int, min_values: int = 5
) -> list[tuple[tuple, tuple[float, float]]]:
    rels = relations(cells, forms)
    iv = propagate(cells, rels, threshold, base)
    out = []
    for k, text in cells.items():
        if text.startswith("<") or text == SECONDARY:
            lo, hi = iv[k]
            # [0, 0] is exempt: a published zero total says "none" of every part, which
            # singles out no one; a narrow interval above zero does.
            if hi > 0 and hi - lo + 1 < min_values:
                out.append((k, (lo, hi)))
    return out


def secondary_suppression(
    cells: dict[tuple, str],
    exact: dict[tuple, int],
    forms: list[str],
    *,
    threshold: int,
    base: int,
    min_values: int = 5,
) -> tuple[dict[tuple, str], list]:
    """Hide published parts until no suppressed cell can be narrowed; returns cells and the first findings."""
    cells = dict(cells)
    first = findings(cells, forms, threshold=threshold, base=base, min_values=min_values)
    found = first
    rels = relations(cells, forms)
    for _ in range(200):
        if not found:
            break
        key = found[0][0]
        candidates = []
        for total, parts in rels:
            if key in parts or key == total:
                for p in parts:
                    if p != key and cells[p] not in (SECONDARY,) and not cells[p].startswith("<") and cells[p] != "0":
                        candidates.append((exact.get(p, 0), p))
        if not candidates:
            raise RuntimeError(f"cannot protect cell {key}: no published part left to hide")
        cells[min(candidates)[1]] = SECONDARY
        found = findings(cells, forms, threshold=threshold, base=base, min_values=min_values)
    return cells, first


def edition_findings(earlier: dict[tuple, str], later: dict[tuple, str], *, threshold: int, base: int) -> list[tuple]:
    """Cells published in two editions whose difference pins a small group of applications:
    the change between the editions is certainly not zero and certainly below the threshold."""
    out = []
    for key in sorted(set(earlier) & set(later)):
        (alo, ahi), (blo, bhi) = interval(earlier[key], threshold, base), interval(later[key], threshold, base)
        lo, hi = blo - ahi, bhi - alo
        if (lo >= 1 and hi < threshold) or (hi <= -1 and lo > -threshold):
            out.append(key)
    return out


# --------------------------------------------------------------- the attacker's program

Key = tuple[str, str, str]
OUTCOMES = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")
#: The largest value the program lets an unbounded cell (an `x` no relation bounds) take.
#: A cap can only remove possible tables, so the audit counts fewer possible values than a
#: reader could, never more: it errs on the safe side. Big-M coefficients are NOT this
#: cap but each population's own upper bound (`_Program._disjunctions`).
CAP = 10**6
#: Checked points kept between the audits of one secondary suppression.
POOL = 1500
#: Measures that a later peildatum can only raise for the same cell (domain.md section 4:
#: an application, a decision and a referent, once visible, stay visible; `lopend` does not).
GROWING = ("aanvragen", "inwilligingen", "afwijzingen", "overig_beeindigd", "personen")


class AuditError(RuntimeError):
    """The solver returned a table that breaks the policy or the definitions: a bug in the
    audit, never an answer (the message names the check, no count)."""


@dataclasses.dataclass(frozen=True)
class Structure:
    """What the definitions say about the cells of one iteration page.

    equalities: total = sum(parts); inequalities: sum(lhs) <= sum(rhs);
    population: a measure -> the applications of its group (for the meaning of `<10`);
    hidden: variables that are not published (e.g. a subtotal's applications).
    """

    equalities: tuple[tuple[Key, tuple[Key, ...]], ...]
    inequalities: tuple[tuple[tuple[Key, ...], tuple[Key, ...]], ...]
    population: tuple[tuple[Key, Key], ...]
    hidden: tuple[Key, ...]


@dataclasses.dataclass(frozen=True)
class Feasible:
    """What a reader can know of one hidden cell: its smallest and largest possible value
    and how many values are possible (counted exactly below `complete_below`, the
    policy's minimum; at or above it, at least that many)."""

    lo: int
    hi: int
    values: int

    def disclosed(self, min_values: int) -> bool:
        # a certain 0 singles out no one
        return self.hi > 0 and self.values < min_values


@dataclasses.dataclass(frozen=True)
class Previous:
    """The edition published before this one: its published cells, their exact values, its
    structure, and the cells of both editions that can only grow from it to this one."""

    cells: dict
    exact: dict
    struct: Structure
    growing: tuple[Key, ...] = ()


def _span(label: str, years: list[str]) -> list[str] | None:
    """Years summed by a period label: 'totaal' (all years) or 'YYYY-YYYY' (a subtotal)."""
    if label == "totaal":
        return years
    a, sep, b = label.partition("-")
    if sep and a.isdigit() and b.isdigit():
        return [y for y in years if int(a) <= int(y) <= int(b)]
    return None


def structure(keys, forms: list[str], *, extra_equalities: tuple[tuple[Key, tuple[Key, ...]], ...] = ()) -> Structure:
    """The definitional relations among `keys` (categorie, jaar, maat) of one iteration."""
    keys = set(keys)
    years = sorted({k[1] for k in keys if k[1].isdigit()})
    labels = sorted({k[1] for k in keys if not k[1].isdigit()})
    cats = [*forms, "alle"]
    hidden: set[Key] = set()
    # a subtotal's applications: not published, but a reader can sum them from the years
    for c, j, m in list(keys):
        if m in MEASURES and m != "aanvragen" and not j.isdigit() and (c, j, "aanvragen") not in keys:
            if all((c, y, "aanvragen") in keys for y in _span(j, years) or []):
                hidden.add((c, j, "aanvragen"))
    allkeys = keys | hidden
    eq: list = []
    for cat in cats:
        for j in [*years, *labels]:
            parts = tuple((cat, j, m) for m in OUTCOMES)
            if (cat, j, "aanvragen") in allkeys and all(p in allkeys for p in parts):
                eq.append(((cat, j, "aanvragen"), parts))
    for j in [*years, *labels]:
        for m in MEASURES:
            parts = tuple((f, j, m) for f in forms)
            if m != "personen" and ("alle", j, m) in allkeys and all(p in allkeys for p in parts):
                eq.append((("alle", j, m), parts))  # with one form: alle is that form
    for c, j, m in sorted(allkeys):
        span = _span(j, years)
        if span is not None and m in MEASURES and m != "personen":
            parts = tuple((c, y, m) for y in span)
            if parts and all(p in allkeys for p in parts):
                eq.append(((c, j, m), parts))
    eq.extend(extra_equalities)
    ineq: list = []
    for c, j, m in sorted(allkeys):
        if m in (*OUTCOMES, "personen") and (c, j, "aanvragen") in allkeys:
            ineq.append((((c, j, m),), ((c, j, "aanvragen"),)))
    for j in years:
        if ("alle", j, "personen") in keys:
            fp = tuple((f, j, "personen") for f in forms if (f, j, "personen") in keys)
            for p in fp:
                ineq.append(((p,), (("alle", j, "personen"),)))
            if len(fp) == len(forms):
                ineq.append(((("alle", j, "personen"),), fp))
    nareis_forms = [f for f in forms if f.startswith("nareis_")]
    for j in [*years, *labels]:
        for m in ("aanvragen", "inwilligingen"):
            parts = tuple((f, j, m) for f in nareis_forms)
            if ("nareis_totaal", j, m) in allkeys and parts and all(p in allkeys for p in parts):
                ineq.append((parts, (("nareis_totaal", j, m),)))
    pop = tuple(
        ((c, j, m), (c, j, "aanvragen"))
        for (c, j, m) in sorted(allkeys)
        if m in MEASURES and m != "aanvragen" and (c, j, "aanvragen") in allkeys
    )
    return Structure(tuple(eq), tuple(ineq), pop, tuple(sorted(hidden)))


def _window(it, jaar: str) -> tuple | None:
    """The application dates a cell of `it` counts: its year (or period label) cut to the period."""
    import datetime as dt

    if jaar == "totaal":
        return (it.start, it.end)
    a, _, b = jaar.partition("-")
    if not a.isdigit():
        return None
    lo, hi = max(it.start, dt.date(int(a), 1, 1)), min(it.end, dt.date(int(b or a), 12, 31))
    return (lo, hi) if lo <= hi else None


def growing(earlier, later, keys) -> tuple[Key, ...]:
    """Cells published by two editions (`config.Iteration`s) whose count can only grow from
    the earlier to the later one: the same method, the earlier forms among the later ones, a
    later peildatum, and the later cell's application dates cover the earlier's. A reader
    who knows the definitions knows this too, so the joint audit uses it."""
    if earlier.methode != later.methode or not set(earlier.vormen) <= set(later.vormen):
        return ()
    if later.peildatum < earlier.peildatum:
        return ()
    out = []
    for c, j, m in sorted(keys):
        if m not in GROWING or c not in (*earlier.vormen, "alle", "nareis_totaal"):
            continue
        wa, wb = _window(earlier, j), _window(later, j)
        if wa and wb and wb[0] <= wa[0] and wa[1] <= wb[1]:
            out.append((c, j, m))
    return tuple(out)


def _domains(cells: dict[Key, str], struct: Structure, policy) -> tuple[dict, list]:
    """Possible values of every variable as the published policy implies them (upper bound
    None: unbounded), and the `<threshold` cells whose meaning depends on an unpublished
    population (the disjunction: 1..t-1, or 0..t-1 when that population is below t)."""
    t, base = policy.threshold, policy.base
    pop = dict(struct.population)
    dom: dict[Key, tuple[int, int | None]] = {k: (0, None) for k in struct.hidden}
    disjunctive = []
    for k, text in cells.items():
        if text == policy.secondary:
            dom[k] = (0, None)
        elif text.startswith("<"):
            p = pop.get(k)
            if p is None:
                dom[k] = (1, t - 1)
            elif p in struct.hidden or cells[p] == policy.secondary:
                dom[k] = (0, t - 1)
                disjunctive.append((k, p))
            elif cells[p].startswith("<"):
                dom[k] = (0, t - 1)
            else:
                dom[k] = (1, t - 1)
        else:
            v = int(text)
            dom[k] = (0, 0) if v == 0 else (max(t, v - base // 2), v + base - 1 - base // 2)
    # a group with applications has at least one referent
    for k, p in pop.items():
        if k[2] == "personen" and k in dom and p in dom and dom[p][0] >= 1:
            dom[k] = (max(1, dom[k][0]), dom[k][1])
    return dom, disjunctive


def _quiet_highs():
    """A HiGHS instance without its start-up banner (written to file descriptor 1, which a
    notebook would capture) and without solver logs; tolerances set, not left to defaults."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    for option, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", 0),
        ("presolve", "off"),
        # Far below 1 / CAP: a binary can miss 0 or 1 by at most 1e-9, which times the
        # largest big-M (at most CAP) moves a population by less than 0.001, and every
        # returned point is re-checked in integers anyway (`_Program.valid`).
        ("mip_feasibility_tolerance", 1e-9),
        ("primal_feasibility_tolerance", 1e-9),
        ("dual_feasibility_tolerance", 1e-9),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 1e-6),
    ):
        h.setOptionValue(option, value)
    return h


class _Program:
    """The attacker's integer program over the cells of one or more pages (HiGHS, built
    once; each question changes only the objective or one variable's bounds).

    Variables are (page number, cell) and ("groei", cell): the growth of a cell from page 0
    to page 1 (`links`, cells that can only grow). Every point HiGHS returns is rounded and
    re-checked in integers against every bound, equality, inequality and disjunction
    (`valid`); only checked points count as witnesses of a possible value."""

    def __init__(self, pages: list[tuple[dict, Structure]], policy, *, links: tuple[Key, ...] = ()):
        import highspy
        import numpy as np

        self._np, self._hs = np, highspy
        self.t = policy.threshold
        dom: dict = {}
        disj: list = []
        eq_rows: list[tuple[dict, int | None, int | None]] = []

        def add(coefs: dict, lo, hi) -> None:
            merged: dict = {}
            for v, c in coefs:
                merged[v] = merged.get(v, 0) + c
            eq_rows.append(({v: c for v, c in merged.items() if c}, lo, hi))

        for i, (cells, struct) in enumerate(pages):
            d, dj = _domains(cells, struct, policy)
            dom.update({(i, k): b for k, b in d.items()})
            disj += [((i, k), (i, p)) for k, p in dj]
            for total, parts in struct.equalities:
                add([((i, total), 1)] + [((i, p), -1) for p in parts], 0, 0)
            for lhs, rhs in struct.inequalities:
                add([((i, p), 1) for p in lhs] + [((i, p), -1) for p in rhs], None, 0)
        for k in links:
            dom[("groei", k)] = (0, None)
            add([(("groei", k), 1), ((1, k), -1), ((0, k), 1)], 0, 0)
        self.keys = sorted(dom, key=repr)
        self.index = {k: j for j, k in enumerate(self.keys)}
        self.lb = np.array([dom[k][0] for k in self.keys], dtype=np.int64)
        self.ub = np.array([CAP if dom[k][1] is None else dom[k][1] for k in self.keys], dtype=np.int64)
        self.rows = [({self.index[v]: c for v, c in coefs.items()}, lo, hi) for coefs, lo, hi in eq_rows]
        self._build()
        self.disj = []
        self._disjunctions(disj)

    # -- building
    def _build(self) -> None:
        np, hs = self._np, self._hs
        n = len(self.keys)
        r_idx, c_idx, vals, lo, hi = [], [], [], [], []
        for r, (coefs, rl, rh) in enumerate(self.rows):
            for c, v in coefs.items():
                r_idx.append(r), c_idx.append(c), vals.append(float(v))
            lo.append(-hs.kHighsInf if rl is None else float(rl))
            hi.append(hs.kHighsInf if rh is None else float(rh))
        # exact integer copy of the same rows for the re-check
        self._r = np.asarray(r_idx, dtype=np.int64)
        self._c = np.asarray(c_idx, dtype=np.int64)
        self._v = np.asarray(vals, dtype=np.int64)
        self._rlo_a = np.array([-np.inf if rl is None else rl for _, rl, _ in self.rows], dtype=np.float64)
        self._rhi_a = np.array([np.inf if rh is None else rh for _, _, rh in self.rows], dtype=np.float64)
        self._dense = np.zeros((n, len(self.rows)))
        np.add.at(self._dense, (self._c, self._r), self._v.astype(np.float64))
        lp = hs.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(lo)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_, lp.col_upper_ = self.lb.astype(float), self.ub.astype(float)
        lp.row_lower_, lp.row_upper_ = np.array(lo, float), np.array(hi, float)
        order = np.lexsort((r_idx, c_idx)) if r_idx else np.zeros(0, dtype=np.int64)
        start = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(np.asarray(c_idx, dtype=np.int64), minlength=n), out=start[1:])
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = np.asarray(r_idx, dtype=np.int32)[order]
        lp.a_matrix_.value_ = np.asarray(vals, dtype=float)[order]
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(lo)
        self._h = _quiet_highs()
        self._h.passModel(lp)
        self.n = n
        self._integer = False

    def _disjunctions(self, disj: list) -> None:
        """`<t` on a measure of a hidden group: the cell is at least 1, or the group has fewer
        than t applications. With a binary s (1: the group is small):
            k + s >= 1  and  p + (M - t + 1) s <= M,
        where M is p's own upper bound (the maximum of the linear relaxation without these
        rows), never a large constant: s = 1 forces p <= t - 1 exactly."""
        np, hs = self._np, self._hs
        t = self.t
        for k, p in disj:
            jk, jp = self.index[k], self.index[p]
            x = self._lp({jp: -1})
            big = CAP if x is None else int(np.floor(x[jp] + 1e-6))
            big = min(big, int(self.ub[jp]))
            self.disj.append((jk, jp))
            if big <= t - 1:
                continue  # the group is always small: 0..t-1 is all the cell says
            col = self.n
            self._h.addCol(0.0, 0.0, 1.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
            self.lb = np.append(self.lb, 0)
            self.ub = np.append(self.ub, 1)
            self.n += 1
            self._h.addRow(1.0, hs.kHighsInf, 2, np.array([jk, col], dtype=np.int32), np.array([1.0, 1.0]))
            self._h.addRow(
                -hs.kHighsInf, float(big), 2, np.array([jp, col], dtype=np.int32), np.array([1.0, float(big - t + 1)])
            )
        self._all = np.arange(self.n, dtype=np.int32)
        self._cont = np.array([hs.HighsVarType.kContinuous] * self.n)
        self._int = np.array([hs.HighsVarType.kInteger] * self.n)

    # -- solving
    def _set_cost(self, objective: dict[int, int]) -> None:
        c = self._np.zeros(self.n)
        for j, v in objective.items():
            c[j] = v
        self._h.changeColsCost(self.n, self._np.arange(self.n, dtype=self._np.int32), c)

    def _run(self, integer: bool):
        h = self._h
        if integer != self._integer:  # switching drops the warm start: only when needed
            h.changeColsIntegrality(self.n, self._all, self._int if integer else self._cont)
            self._integer = integer
        h.run()
        status = h.getModelStatus()
        if status != self._hs.HighsModelStatus.kOptimal:
            return None
        return self._np.asarray(h.getSolution().col_value[: self.n]), h.getInfo().objective_function_value

    def _lp(self, objective: dict[int, int]):
        self._set_cost(objective)
        got = self._run(integer=False) if self.n else None
        return None if got is None else got[0]

    def valid(self, x) -> bool:
        """The point, in integers, satisfies every bound, row and disjunction (binaries,
        which only encode the disjunctions, are not looked at)."""
        return bool(self.valid_many(self._np.asarray(x)[None, :])[0])

    def valid_many(self, xs):
        """`valid` for each row of a matrix of points (the pool, checked at once)."""
        np = self._np
        n0 = len(self.keys)
        x = np.asarray(xs, dtype=np.int64)[:, :n0]
        ok = ((x >= self.lb[:n0]) & (x <= self.ub[:n0])).all(axis=1)
        if self._r.size:
            # float64 products of integers below 2**53 are exact: so are these sums
            # (|coefficient| 1, at most a few hundred terms of at most CAP each)
            ax = x.astype(np.float64) @ self._dense
            ok &= ((ax >= self._rlo_a) & (ax <= self._rhi_a)).all(axis=1)
        for jk, jp in self.disj:
            ok &= (x[:, jk] >= 1) | (x[:, jp] <= self.t - 1)
        return ok

    def solve(self, objective: dict[int, int], *, fix: tuple[int, int] | None = None):
        """Minimise an integer objective over the integer points; the checked optimal point
        (ints), or None when there is none.

        The linear relaxation first (fast, warm-started): its rounded optimum is taken when
        it passes the integer check and reaches the relaxation's bound (then no integer
        point can be better); otherwise the integer program decides, and a point of it
        that fails the check raises `AuditError`."""
        np = self._np
        if fix is not None:
            j, v = fix
            self._h.changeColBounds(j, float(v), float(v))
        try:
            self._set_cost(objective)
            got = self._run(integer=False)
            if got is None:
                return None  # no real point: no integer point either
            x, bound = got
            xr = np.round(x).astype(np.int64)
            value = sum(c * int(xr[j]) for j, c in objective.items())
            if self.valid(xr) and value <= math.ceil(bound - 1e-6):
                return xr
            got = self._run(integer=True)
            if got is None:
                return None
            xr = np.round(got[0]).astype(np.int64)
            if not self.valid(xr):
                raise AuditError(
                    "the solver returned a table that breaks the policy or the definitions "
                    "(integer re-check failed); the audit cannot decide"
                )
            return xr
        finally:
            if fix is not None:
                self._h.changeColBounds(j, float(self.lb[j]), float(self.ub[j]))

    def feasible(
        self, targets: list, need: int, *, full: bool, start: list = (), pool: list | None = None, stop_at_finding=False
    ):
        """Feasible values of each target variable (`Feasible`); with `full` False a target
        already seen at `need` values is not solved for (its lo..hi are then the witnesses');
        `start`: checked points known beforehand (the exact counts); `pool`: points of an
        earlier program over the same variables, used where they pass this program's check,
        and extended with this program's points (secondary suppression only ever narrows or
        widens a few cells, so most old witnesses stay good)."""
        seen: dict = {v: set() for v in targets}
        ix = [self.index[v] for v in targets]
        pool = [] if pool is None else pool

        def witness(x, *, keep: bool = True) -> None:
            for v, j in zip(targets, ix):
                s = seen[v]
                if len(s) < need or full:
                    s.add(int(x[j]))
            if keep:
                pool.append(x)
                if len(pool) > POOL:
                    del pool[: len(pool) - POOL]

        for x in start:
            witness(x, keep=False)
        if pool:
            np = self._np
            xs = np.stack([x[: len(self.keys)] for x in pool])
            good = xs[self.valid_many(xs)][:, ix]
            for col, v in enumerate(targets):
                s = seen[v]
                if len(s) < need or full:
                    s.update(np.unique(good[:, col]).tolist())
        out: dict = {}

        def opened() -> list:
            return [j for v, j in zip(targets, ix) if len(seen[v]) < need]

        pending = opened()
        patterns = (lambda i: 1, lambda i: -1, lambda i: 1 - 2 * (i % 2), lambda i: 2 * (i % 2) - 1)
        while pending:
            before = len(pending)
            for pat in patterns:
                x = self.solve({j: pat(i) for i, j in enumerate(pending)})
                if x is None:
                    raise ValueError("the published cells contradict the definitions (no feasible table)")
                witness(x)
            pending = opened()
            if len(pending) == before:
                break
        # cells only ever seen at 0: one solve maximising their sum proves them all
        # certainly 0 when its optimum is 0 (every variable is at least 0)
        zeros = [(v, j) for v, j in zip(targets, ix) if seen[v] == {0}]
        if zeros:
            x = self.solve({j: -1 for _, j in zeros})
            witness(x)
            if all(x[j] == 0 for _, j in zeros):
                out.update({v: Feasible(0, 0, 1) for v, _ in zeros})
        for v, j in zip(targets, ix):
            s = seen[v]
            if v in out:
                continue
            if not full and len(s) >= need:
                out[v] = Feasible(min(s), max(s), len(s))
                continue
            x = self.solve({j: 1})
            if x is None:
                raise ValueError("the published cells contradict the definitions (no feasible table)")
            witness(x)
            lo = int(x[j])
            x = self.solve({j: -1})
            witness(x)
            hi = int(x[j])
            # probe the values between, from both ends, as a reader would; a range narrower
            # than `need` is disclosed whatever its holes
            # (probed all the same when short, so the count is exact there)
            if len(s) < need and (need <= hi - lo + 1 or hi - lo < 64):
                todo = [u for u in range(lo, hi + 1) if u not in s]
                todo = sorted(todo, key=lambda u: (min(u - lo, hi - u), u))
                for u in todo:
                    if len(s) >= need:
                        break
                    x = self.solve({}, fix=(j, u))
                    if x is not None:
                        witness(x)
            out[v] = Feasible(lo, hi, len(s))
            if stop_at_finding and out[v].disclosed(need):
                return out
        return out


def suppressed(cells: dict[Key, str], policy) -> list[Key]:
    return sorted(k for k, v in cells.items() if v == policy.secondary or v.startswith("<"))


def _exact_point(prog: _Program, pages_exact: list[dict | None], structs: list[Structure]) -> object | None:
    """The exact counts as a point of the program (an unpublished subtotal summed from its
    years; the check ignores the binaries), or None when an exact table is missing. A point
    that fails the check is a bug in the model."""
    np = prog._np
    if any(e is None for e in pages_exact):
        return None
    full = []
    for e, struct in zip(pages_exact, structs):
        e = dict(e)
        for total, parts in struct.equalities:
            if total in struct.hidden and total not in e and all(p in e for p in parts):
                e[total] = sum(e[p] for p in parts)
        full.append(e)
    x = np.zeros(prog.n, dtype=np.int64)
    for v, j in prog.index.items():
        if v[0] == "groei":
            x[j] = full[1].get(v[1], 0) - full[0].get(v[1], 0)
        else:
            x[j] = full[v[0]].get(v[1], 0)
    if not prog.valid(x):
        raise AuditError("the exact counts break the attacker's model of the policy: a bug in the audit")
    return x


def joint_feasible(
    cells: dict[Key, str],
    struct: Structure,
    policy,
    *,
    exact: dict[Key, int] | None = None,
    previous: Previous | None = None,
    full: bool = False,
    stop_at_finding: bool = False,
    pool: list | None = None,
    only: list | None = None,
) -> dict[tuple, Feasible]:
    """Feasible values of every hidden cell of a page (keys (1, cell)) and, with `previous`,
    of the earlier edition's hidden cells (keys (0, cell)) and of the growth of every cell
    that can only grow (keys ('groei', cell)), over everything both editions publish
    (`only`: just these of them)."""
    if previous is None:
        prog = _Program([({}, Structure((), (), (), ())), (cells, struct)], policy)
        targets = [(1, k) for k in suppressed(cells, policy)]
        start = _exact_point(prog, [{}, exact], [Structure((), (), (), ()), struct])
    else:
        links = tuple(k for k in previous.growing if k in previous.cells and k in cells)
        prog = _Program([(previous.cells, previous.struct), (cells, struct)], policy, links=links)
        targets = [(0, k) for k in suppressed(previous.cells, policy)]
        targets += [(1, k) for k in suppressed(cells, policy)] + [("groei", k) for k in links]
        start = _exact_point(prog, [previous.exact, exact], [previous.struct, struct])
    if only is not None:
        targets = [v for v in targets if v in only]
    if not targets:
        return {}
    return prog.feasible(
        targets,
        policy.min_values,
        full=full,
        start=[] if start is None else [start],
        pool=pool,
        stop_at_finding=stop_at_finding,
    )


def lp_values(
    cells: dict[Key, str], struct: Structure, policy, *, exact: dict[Key, int] | None = None, full: bool = True
) -> dict[Key, Feasible]:
    """Feasible values of every hidden cell of one page over everything it publishes."""
    got = joint_feasible(cells, struct, policy, exact=exact, full=full)
    return {v[1]: f for v, f in got.items()}


def lp_ranges(
    cells: dict[Key, str], struct: Structure, policy, *, only_unsafe: bool = True, exact: dict[Key, int] | None = None
) -> dict[Key, tuple[int, int]]:
    """Feasible integer range of every hidden cell over everything published.

    With `only_unsafe`, a cell already seen taking `min_values` different values at checked
    points is not solved for (its range is returned as those witnesses, a lower bound).
    `exact`, when given, is one feasible point for free."""
    got = lp_values(cells, struct, policy, exact=exact, full=not only_unsafe)
    return {k: (f.lo, f.hi) for k, f in got.items()}


def lp_findings(cells: dict[Key, str], struct: Structure, policy, *, exact: dict[Key, int] | None = None) -> list[Key]:
    """Hidden cells with fewer than `min_values` possible values (a certain zero is fine)."""
    got = lp_values(cells, struct, policy, exact=exact, full=False)
    return [k for k, f in got.items() if f.disclosed(policy.min_values)]


def _findings(cells, struct, policy, exact, previous, *, stop_at_finding: bool = False, pool=None) -> list:
    """Variables to act on: this page's disclosed cells (1, cell), and with an earlier
    edition the cells of it (0, cell) and the growths ('groei', cell) that the two
    editions together disclose."""
    got = joint_feasible(
        cells, struct, policy, exact=exact, previous=previous, stop_at_finding=stop_at_finding, pool=pool
    )
    return sorted((v for v, f in got.items() if f.disclosed(policy.min_values)), key=repr)


def audit(pages, policy, *, growing_keys=None) -> list[str]:
    """Audit every iteration page with the attacker's program, and each pair of successive
    editions together (what both publish; cells that can only grow linked, `growing_keys(a,
    b)` gives them by page id). `pages`: per iteration in edition order, (id, published
    cells, exact values, structure), as the publication layer builds them
    (`checks.assert_safe`). Returns the problems, which name cells, never counts."""
    problems = []
    for pid, cells, exact, struct in pages:
        for key in _findings(cells, struct, policy, exact, None):
            problems.append(f"{pid}: cell {key} can be narrowed from what the page publishes")
    for (a, cells_a, exact_a, struct_a), (b, cells_b, exact_b, struct_b) in zip(pages, pages[1:]):
        links = tuple(growing_keys(a, b)) if growing_keys else ()
        prev = Previous(cells_a, exact_a, struct_a, links)
        got = joint_feasible(cells_b, struct_b, policy, exact=exact_b, previous=prev)
        for v, f in sorted(got.items(), key=lambda kv: repr(kv[0])):
            if not f.disclosed(policy.min_values):
                continue
            if v[0] == "groei":
                problems.append(f"{a} -> {b}: cell {v[1]} grows by a small number between the editions")
            elif v[0] == 0:
                problems.append(f"{a} -> {b}: cell {v[1]} of {a} can be narrowed with what {b} publishes")
            else:
                problems.append(f"{a} -> {b}: cell {v[1]} of {b} can be narrowed with what {a} publishes")
    return sorted(set(problems), key=problems.index)


def information_lost(cells: dict[Key, str], exact: dict[Key, int], policy) -> tuple[int, int]:
    """What secondary suppression hides: the number of cells shown as `x` and the sum of
    their exact counts (internal: never published, it could reveal a hidden cell)."""
    hidden = [k for k, v in cells.items() if v == policy.secondary]
    return len(hidden), sum(exact.get(k, 0) for k in hidden)


def _neighbours(struct: Structure) -> dict[Key, set]:
    nb: dict[Key, set] = {}
    groups = [(t, *ps) for t, ps in struct.equalities] + [(*a, *b) for a, b in struct.inequalities]
    groups += [tuple(kp) for kp in struct.population]
    for g in groups:
        for k in g:
            nb.setdefault(k, set()).update(x for x in g if x != k)
    return nb


def _hideable(text: str, policy) -> bool:
    return text != policy.secondary


def _cost(key: Key, cells: dict[Key, str], exact: dict[Key, int], keep: frozenset = frozenset()) -> tuple:
    """Information lost by hiding a cell: a cell the earlier edition showed with the same
    count last (hiding it there would not hide it); a number before a `<10` or a 0 (hiding
    those rarely helps and hides a cell that was already vague or certain), then the
    smallest count; ties by key, so the pattern is deterministic."""
    return (key in keep, 0 if cells[key].isdigit() and cells[key] != "0" else 1, exact.get(key, 0), key)


def _candidates(key: Key, cells, nb, policy, *, rings: int = 3) -> list[tuple[int, Key]]:
    """Published cells near `key` in the relations, (ring, cell), nearest first."""
    seen, ring, out = {key}, {key}, []
    if key in cells and _hideable(cells[key], policy) and not _is_hidden(cells[key], policy):
        out.append((0, key))  # a cell of the earlier edition narrowed by this one: hide it here too
    for r in range(1, rings + 1):
        nxt = set()
        for k in ring:
            nxt |= nb.get(k, set())
        nxt -= seen
        seen |= nxt
        out += [(r, k) for k in sorted(nxt) if k in cells and _hideable(cells[k], policy)]
        ring = nxt
    return out


def _is_number(text: str) -> bool:
    """A published count of at least the threshold (not `<10`, `x` or 0)."""
    return text.isdigit() and text != "0"


def _is_hidden(text: str, policy) -> bool:
    return text == policy.secondary or text.startswith("<")


def _nearest(key: Key, cells, exact, nb, policy, keep=frozenset()) -> Key | None:
    """The cheapest published cell nearest to `key` in the relations (breadth first)."""
    cands = _candidates(key, cells, nb, policy, rings=len(cells))
    if not cands:
        return None
    ring = cands[0][0]
    return min((c for r, c in cands if r == ring), key=lambda k: _cost(k, cells, exact, keep))


def protect(
    cells: dict[Key, str],
    exact: dict[Key, int],
    struct: Structure,
    policy,
    *,
    table: str = "tabel",
    previous: Previous | None = None,
) -> tuple[dict[Key, str], list[Key]]:
    """Secondary suppression until the attacker's program finds nothing, then as little as
    that needs.

    1. With an earlier edition (`previous`), a cell it hid whose exact count did not change
       is hidden here too (a reader of both learns no more than of one), and the audit is
       the joint one of both editions.
    2. Greedy: hide the cheapest cell nearest to each disclosed one, audit again, repeat.
    3. Give back: try to show each cell hidden in step 2 again, largest count first, and
       keep it shown when the audit still finds nothing.
    4. Swap: try each remaining one (largest first) for a smaller cell nearby.

    Returns the protected cells and the findings before secondary suppression. Raises
    `disclosure.ProtectionError` naming `table` when even hiding every cell is not enough.
    Deterministic: the same cells give the same pattern."""
    from .disclosure import ProtectionError

    original = dict(cells)
    cells = dict(cells)
    carried: set[Key] = set()
    keep: frozenset = frozenset()
    if previous is not None:
        for k, text in previous.cells.items():
            if k in cells and previous.exact.get(k) == exact.get(k) and exact.get(k) is not None:
                if text == policy.secondary and cells[k] != policy.secondary:
                    cells[k] = policy.secondary
                    carried.add(k)
        keep = frozenset(
            k
            for k, text in previous.cells.items()
            if k in cells and text != policy.secondary and previous.exact.get(k) == exact.get(k)
        )
    nb = _neighbours(struct)
    pool: list = []
    found = _findings(cells, struct, policy, exact, previous, pool=pool)
    first = sorted({v[1] for v in found})
    while found:
        # the cheapest nearest cell for every finding: quick, and it overshoots; step 3
        # gives back what was not needed
        hides = {c for c in (_nearest(v[1], cells, exact, nb, policy, keep) for v in found) if c is not None}
        if not hides:
            # nothing near the findings is left to hide: hide the cheapest cell anywhere
            rest = [k for k, v in cells.items() if _hideable(v, policy)]
            if not rest:
                raise ProtectionError(
                    f"{table}: cannot be protected; even with every number hidden, "
                    f"{len(found)} hidden cell(s) keep fewer than {policy.min_values} possible values "
                    f"(first: {found[0][1]}). Publish a coarser table (fewer years or forms)."
                )
            hides = {min(rest, key=lambda k: _cost(k, cells, exact, keep))}
        for hide in hides:
            cells[hide] = policy.secondary
        found = _findings(cells, struct, policy, exact, previous, pool=pool)
    added = [k for k, v in cells.items() if v == policy.secondary and original[k] != policy.secondary]
    for k in sorted(set(added) - carried, key=lambda k: (-exact.get(k, 0), k)):
        cells[k] = original[k]
        if _findings(cells, struct, policy, exact, previous, stop_at_finding=True, pool=pool):
            cells[k] = policy.secondary
    # 4. Swap: a hidden cell for a smaller number nearby when that protects as well (never
    # for a `<10` or a 0: hiding those is for when nothing else helps)
    added = [k for k, v in cells.items() if v == policy.secondary and original[k] != policy.secondary]
    for k in sorted(set(added) - carried, key=lambda k: (-exact.get(k, 0), k)):
        cheaper = [
            c
            for _, c in _candidates(k, cells, nb, policy, rings=2)
            if c != k and exact.get(c, 0) < exact.get(k, 0) and c not in keep and _is_number(original[c])
        ]
        for c in sorted(cheaper, key=lambda c: (exact.get(c, 0), c))[:SWAP_TRIALS]:
            cells[k], cells[c] = original[k], policy.secondary
            if not _findings(cells, struct, policy, exact, previous, stop_at_finding=True, pool=pool):
                break
            cells[k], cells[c] = policy.secondary, original[c]
    return cells, first


#: Smaller cells tried in place of each hidden one (step 4 of `protect`).
SWAP_TRIALS = 6
