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
  applications (and grants) >= those of the nareis forms. HiGHS (highspy)
  gives the exact integer minimum and maximum of each hidden cell. A hidden cell is
  disclosed when fewer than `Policy.min_values` values stay possible, unless it is
  certainly 0 (a zero singles out no one).

`protect` (secondary suppression) hides further published cells, cheapest first, nearest
to a disclosed cell in the relations (a part, a total, a `<10`, or a cell of a related
table), until the integer program finds nothing. Hiding a cell only widens what is
possible, and with every cell hidden nothing is narrow, so the loop ends after at most as
many rounds as there are cells; `disclosure.ProtectionError` (naming the table) guards a
policy that asks for more than that. Deterministic: the same cells give the same pattern.
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


def audit(pages, policy) -> list[str]:
    """Audit every iteration page with the attacker's program, and each pair of successive
    editions. `pages`: per iteration in edition order, (id, published cells, exact values,
    structure), as the publication layer builds them (`checks.assert_safe`). Returns the
    problems, which name cells, never counts; empty when nothing can be narrowed."""
    problems = []
    for pid, cells, exact, struct in pages:
        for key in lp_findings(cells, struct, policy, exact=exact):
            problems.append(f"{pid}: cell {key} can be narrowed from what the page publishes")
    for (a, cells_a, *_), (b, cells_b, *_) in zip(pages, pages[1:]):
        for key in edition_findings(cells_a, cells_b, threshold=policy.threshold, base=policy.base):
            problems.append(f"{a} -> {b}: cell {key} changes by a small, nonzero number between editions")
    return problems


# --------------------------------------------------------------- the attacker's program

Key = tuple[str, str, str]
OUTCOMES = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")
#: Larger than any count: a hidden cell that can reach it is unbounded for the attacker.
CAP = 10**7


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


def _is_number(text: str) -> bool:
    return text.isdigit()


def _domains(cells: dict[Key, str], struct: Structure, policy) -> tuple[dict, list]:
    """Possible values of every variable as the published policy implies them, and the
    `<threshold` cells whose meaning depends on an unpublished population (binary needed)."""
    t, base = policy.threshold, policy.base
    pop = dict(struct.population)
    dom: dict[Key, tuple[int, int]] = {k: (0, CAP) for k in struct.hidden}
    disjunctive = []
    for k, text in cells.items():
        if text == policy.secondary:
            dom[k] = (0, CAP)
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
    notebook would capture) and without solver logs."""
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
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("presolve", "off")
    return h


class _Program:
    """The attacker's integer program over one page's published cells (HiGHS, built once;
    each question only changes the objective)."""

    def __init__(self, cells: dict[Key, str], struct: Structure, policy):
        import highspy
        import numpy as np

        dom, disj = _domains(cells, struct, policy)
        self.keys = sorted(dom)
        self.index = {k: i for i, k in enumerate(self.keys)}
        n = len(self.keys) + len(disj)
        lb = [dom[k][0] for k in self.keys] + [0] * len(disj)
        ub = [dom[k][1] for k in self.keys] + [1] * len(disj)
        rows, cols, vals, lo, hi = [], [], [], [], []

        def row(coefs: dict[int, float], low: float, high: float) -> None:
            r = len(lo)
            for c, v in coefs.items():
                rows.append(r), cols.append(c), vals.append(v)
            lo.append(low), hi.append(high)

        for total, parts in struct.equalities:
            coefs = {self.index[total]: 1.0}
            for p in parts:
                coefs[self.index[p]] = coefs.get(self.index[p], 0.0) - 1.0
            row(coefs, 0.0, 0.0)
        for lhs, rhs in struct.inequalities:
            coefs: dict[int, float] = {}
            for p in lhs:
                coefs[self.index[p]] = coefs.get(self.index[p], 0.0) + 1.0
            for p in rhs:
                coefs[self.index[p]] = coefs.get(self.index[p], 0.0) - 1.0
            row(coefs, -highspy.kHighsInf, 0.0)
        for b, (k, p) in enumerate(disj):
            s = len(self.keys) + b  # s = 1: the group is small, the cell may be 0
            row({self.index[k]: 1.0, s: 1.0}, 1.0, highspy.kHighsInf)
            row({self.index[p]: 1.0, s: float(CAP)}, -highspy.kHighsInf, float(policy.threshold - 1 + CAP))
        self.n = n
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(lo)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_, lp.col_upper_ = np.array(lb, float), np.array(ub, float)
        lp.row_lower_, lp.row_upper_ = np.array(lo, float), np.array(hi, float)
        # column-wise (CSC) matrix; each (row, column) occurs once (`row` merges per row)
        order = np.lexsort((rows, cols))
        start = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(np.asarray(cols, dtype=np.int64), minlength=n), out=start[1:])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = np.asarray(rows, dtype=np.int32)[order]
        lp.a_matrix_.value_ = np.asarray(vals, dtype=float)[order]
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(lo)
        self._h = _quiet_highs()
        self._h.passModel(lp)
        self._all = np.arange(n, dtype=np.int32)
        self._cont = np.array([highspy.HighsVarType.kContinuous] * n)
        self._int = np.array([highspy.HighsVarType.kInteger] * n)
        self._hs = highspy
        self._integer = True
        self._np = np

    def _run(self, integer: bool):
        h = self._h
        if integer != self._integer:  # switching drops the warm start: only when needed
            h.changeColsIntegrality(self.n, self._all, self._int if integer else self._cont)
            self._integer = integer
        h.run()
        if h.getModelStatus() != self._hs.HighsModelStatus.kOptimal:
            return None
        return self._np.asarray(h.getSolution().col_value)

    def solve(self, objective: dict[Key, float]):
        """Minimise the objective over the integer points; the optimal point or None.

        The linear relaxation first (fast, warm-started): when its optimum is integral it
        is the integer optimum too; otherwise the integer program decides."""
        np = self._np
        c = np.zeros(self.n)
        for k, v in objective.items():
            c[self.index[k]] = v
        self._h.changeColsCost(self.n, self._all, c)
        x = self._run(integer=False)
        if x is None or np.abs(x - np.round(x)).max() > 1e-7:
            x = self._run(integer=True)
            if x is None:
                return None
        return np.round(x).astype(np.int64)


def suppressed(cells: dict[Key, str], policy) -> list[Key]:
    return sorted(k for k, v in cells.items() if v == policy.secondary or v.startswith("<"))


def lp_ranges(
    cells: dict[Key, str], struct: Structure, policy, *, only_unsafe: bool = True, exact: dict[Key, int] | None = None
) -> dict[Key, tuple[int, int]]:
    """Feasible integer range of every hidden cell over everything published.

    With `only_unsafe`, a cell already seen taking `min_values` different values at feasible
    points is not solved for (its range is returned as those witnesses, a lower bound).
    `exact`, when given, is one feasible point for free."""
    prog = _Program(cells, struct, policy)
    targets = suppressed(cells, policy)
    if not targets:
        return {}
    seen_lo = {k: CAP + 1 for k in targets}
    seen_hi = {k: -1 for k in targets}

    def witness(x) -> None:
        for k in targets:
            v = int(x[prog.index[k]])
            seen_lo[k] = min(seen_lo[k], v)
            seen_hi[k] = max(seen_hi[k], v)

    if exact is not None:
        witness([exact.get(k, 0) for k in prog.keys])
    need = policy.min_values
    out: dict[Key, tuple[int, int]] = {}

    def open_cells() -> list[Key]:
        return [k for k in targets if k not in out and seen_hi[k] - seen_lo[k] + 1 < need]

    # Cheap first: push all undecided cells down together, then up together; every solution
    # is a feasible table, so a cell seen taking `need` values is safe without its own solve.
    pending = open_cells()
    while pending:
        before = len(pending)
        for sign in (1.0, -1.0):
            x = prog.solve({k: sign for k in pending})
            if x is None:
                raise ValueError("the published cells contradict the definitions (no feasible table)")
            witness(x)
        pending = open_cells()
        if len(pending) == before:
            break
    for k in targets:
        if k in out:
            continue
        if only_unsafe and seen_hi[k] - seen_lo[k] + 1 >= need:
            out[k] = (seen_lo[k], seen_hi[k])
            continue
        x = prog.solve({k: 1.0})
        witness(x)
        lo = int(x[prog.index[k]])
        if only_unsafe and seen_hi[k] - lo + 1 >= need:
            out[k] = (lo, seen_hi[k])
            continue
        x = prog.solve({k: -1.0})
        witness(x)
        out[k] = (lo, int(x[prog.index[k]]))
    return out


def lp_findings(cells: dict[Key, str], struct: Structure, policy, *, exact: dict[Key, int] | None = None) -> list[Key]:
    """Hidden cells with fewer than `min_values` possible values (a certain zero is fine)."""
    return [
        k
        for k, (lo, hi) in lp_ranges(cells, struct, policy, exact=exact).items()
        if hi > 0 and hi - lo + 1 < policy.min_values
    ]


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


def _cost(key: Key, cells: dict[Key, str], exact: dict[Key, int]) -> tuple:
    """Information lost by hiding a cell: a number before a `<10` or a 0 (hiding those
    rarely helps and hides a cell that was already vague or certain), then the smallest
    count; ties by key, so the pattern is deterministic."""
    return (0 if cells[key].isdigit() and cells[key] != "0" else 1, exact.get(key, 0), key)


def _choose(key: Key, cells: dict[Key, str], exact: dict[Key, int], nb: dict[Key, set], policy) -> Key | None:
    """The cheapest published number nearest to `key` in the relations (breadth first)."""
    seen, ring = {key}, {key}
    while ring:
        nxt = set()
        for k in ring:
            nxt |= nb.get(k, set())
        nxt -= seen
        seen |= nxt
        cand = [k for k in nxt if k in cells and _hideable(cells[k], policy)]
        if cand:
            return min(cand, key=lambda k: _cost(k, cells, exact))
        ring = nxt
    return None


def protect(
    cells: dict[Key, str], exact: dict[Key, int], struct: Structure, policy, *, table: str = "tabel"
) -> tuple[dict[Key, str], list[Key]]:
    """Secondary suppression until the attacker's program finds nothing.

    Returns the protected cells and the findings before secondary suppression. Raises
    `disclosure.ProtectionError` naming `table` when even hiding every number is not enough."""
    from .disclosure import ProtectionError

    cells = dict(cells)
    nb = _neighbours(struct)
    first = found = lp_findings(cells, struct, policy, exact=exact)
    while found:
        hide = {c for c in (_choose(k, cells, exact, nb, policy) for k in found) if c is not None}
        if not hide:
            # nothing near the findings is left to hide: hide the cheapest number anywhere
            rest = [k for k, v in cells.items() if _hideable(v, policy)]
            if not rest:
                raise ProtectionError(
                    f"{table}: cannot be protected; even with every number hidden, "
                    f"{len(found)} hidden cell(s) keep fewer than {policy.min_values} possible values "
                    f"(first: {found[0]}). Publish a coarser table (fewer years or forms)."
                )
            hide = {min(rest, key=lambda k: _cost(k, cells, exact))}
        for k in hide:
            cells[k] = policy.secondary
        found = lp_findings(cells, struct, policy, exact=exact)
    return cells, first
