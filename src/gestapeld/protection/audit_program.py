"""The attacker's integer program: the audit that decides (issue 24).

Every cell an iteration page publishes is a variable; its published text gives its possible
values as the policy on the page `beveiliging` tells every reader:
  - a rounded value v: v - base/2 .. v + base/2 - 1, and at least the threshold;
  - `0`: exactly 0;
  - `<10` on a count of applications (aanvragen, a depth, time or permit class): 1..9;
    on another measure: 1..9 when its group's applications are shown as a number, 0..9
    when they are `<10` themselves, and when they are hidden (`x`, or a subtotal that is
    not shown) either 1..9 or, if the group has fewer than 10 applications, 0..9;
  - `x` (secondary suppression, which may hide any cell: a number, a `<10`, a 0): any
    count, 0 or more.
The relations are those of audit_structure.py. Exact by construction: the disjunction's
big-M is the population's own upper bound (never a large constant), HiGHS's tolerances are
set, and every point it returns is re-checked in integers against every bound, relation and
disjunction (`AuditError` when one fails). What counts is the number of possible VALUES of a
hidden cell, not the width of its range: witnesses (checked points) are collected, and the
values of a narrow range are probed one by one. With the previous edition the program holds
both editions, and the growth of a cell that can only grow is audited like a hidden cell.
"""

from __future__ import annotations

import math
import os
import sys

from .audit_structure import CAP, POOL, AuditError, Feasible, Key, Previous, Structure


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
        # returned point is re-checked in integers anyway (`AuditProgram.valid`).
        ("mip_feasibility_tolerance", 1e-9),
        ("primal_feasibility_tolerance", 1e-9),
        ("dual_feasibility_tolerance", 1e-9),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 1e-6),
    ):
        h.setOptionValue(option, value)
    return h


class AuditProgram:
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
        from scipy import sparse

        # the rows as an integer sparse matrix (variables x rows): the re-check is exact
        # integer arithmetic, and a pool of points is checked in one product
        self._matrix = sparse.csr_matrix((self._v, (self._c, self._r)), shape=(n, len(self.rows)), dtype=np.int64)
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
        self._disj_k = np.array([jk for jk, _ in self.disj], dtype=np.int64)
        self._disj_p = np.array([jp for _, jp in self.disj], dtype=np.int64)
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
            # exact: integer products, sums of at most a few hundred terms of at most CAP
            # (below 2**53, so bincount's float64 sums are exact too)
            if len(x) == 1:
                terms = (x[0, self._c] * self._v).astype(np.float64)
                ax = np.bincount(self._r, weights=terms, minlength=len(self.rows))[None, :]
            else:
                ax = np.asarray(self._matrix.T @ x.T).T
            ok &= ((ax >= self._rlo_a) & (ax <= self._rhi_a)).all(axis=1)
        if self.disj:
            jk, jp = self._disj_k, self._disj_p
            ok &= ((x[:, jk] >= 1) | (x[:, jp] <= self.t - 1)).all(axis=1)
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
            # a round of four large solves that settles fewer than ROUND_GAIN cells costs more
            # than the cells' own solves below (only the speed: every open cell is decided there)
            if before - len(pending) < ROUND_GAIN:
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
            # a checked point on the variable's own bound (1 for a `<10`, say) is its smallest
            # (largest) value: nothing lies beyond a bound, so that end needs no solve
            if int(self.lb[j]) in s:
                lo = int(self.lb[j])
            else:
                x = self.solve({j: 1})
                if x is None:
                    raise ValueError("the published cells contradict the definitions (no feasible table)")
                witness(x)
                lo = int(x[j])
            if int(self.ub[j]) in s:
                hi = int(self.ub[j])
            else:
                x = self.solve({j: -1})
                witness(x)
                hi = int(x[j])
            # probe the values between, from both ends, as a reader would; a range narrower
            # than `need` is disclosed whatever its holes
            # (probed all the same when short, so the count is exact there)
            if len(s) < need and (need <= hi - lo + 1 or hi - lo < 64):
                known = frozenset(s)  # the values seen before probing (each other one is tried)
                for u in _inward(lo, hi):
                    if len(s) >= need:
                        break
                    if u in known:
                        continue
                    x = self.solve({}, fix=(j, u))
                    if x is not None:
                        witness(x)
            out[v] = Feasible(lo, hi, len(s))
            if stop_at_finding and out[v].disclosed(need):
                return out
        return out


#: The pattern rounds stop when a round settles fewer open cells than this. With the ends
#: taken from bounds (`feasible`): 23% fewer solves and 31% fewer simplex iterations than
#: rounds until one settles none and a solve for every end, the same pages
#: (benchmarks/audit_solves.py).
ROUND_GAIN = 8


def _inward(lo: int, hi: int):
    """lo, hi, lo + 1, hi - 1, ...: the values of lo..hi from both ends inwards (each once),
    lazily: a range may be as wide as CAP and only a few values are ever probed."""
    d = 0
    while lo + d <= hi - d:
        yield lo + d
        if hi - d != lo + d:
            yield hi - d
        d += 1


def suppressed(cells: dict[Key, str], policy) -> list[Key]:
    return sorted(k for k, v in cells.items() if v == policy.secondary or v.startswith("<"))


def _exact_point(prog: AuditProgram, pages_exact: list[dict | None], structs: list[Structure]) -> object | None:
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
        prog = AuditProgram([({}, Structure((), (), (), ())), (cells, struct)], policy)
        targets = [(1, k) for k in suppressed(cells, policy)]
        start = _exact_point(prog, [{}, exact], [Structure((), (), (), ()), struct])
    else:
        links = tuple(k for k in previous.growing if k in previous.cells and k in cells)
        prog = AuditProgram([(previous.cells, previous.struct), (cells, struct)], policy, links=links)
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
