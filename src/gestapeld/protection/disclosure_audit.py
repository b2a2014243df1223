"""Secondary suppression and the audit of whole pages: what can a reader of the page learn?

A hidden cell is disclosed when fewer than `Policy.min_values` values stay possible given
everything the page (and the edition before it) publishes, unless it is certainly 0 (a zero
singles out no one). The possible values come from the attacker's integer program
(audit_program.py) over the relations among the cells (audit_structure.py); the first,
interval-propagation audit is in intervals.py. `lp_findings` and `audit` report disclosed
cells (names, never counts).

`protect` (secondary suppression) hides further published cells, cheapest first, nearest
to a disclosed cell in the relations (a part, a total, a `<10`, or a cell of a related
table), until the integer program finds nothing; then gives back every cell not needed
(largest first) and swaps a hidden number for a smaller one where that protects as well.
Hiding a cell only widens what is possible, and with every cell hidden nothing is narrow,
so the loop ends; `disclosure.ProtectionError` (naming the table) guards a policy that asks
for more than that. Deterministic: the same cells give the same pattern.

This module is the protection's entry point for the audit: it also re-exports what the
publication layer and the tests use of the other three.
"""

from __future__ import annotations

from .audit_program import AuditProgram, joint_feasible, suppressed
from .audit_structure import CAP, GROWING, OUTCOMES, AuditError, Feasible, Key, Previous, Structure, growing, structure
from .intervals import SECONDARY, edition_findings, findings, interval, propagate, relations, secondary_suppression

__all__ = [
    "AuditError",
    "AuditProgram",
    "CAP",
    "Feasible",
    "GROWING",
    "Key",
    "OUTCOMES",
    "Previous",
    "SECONDARY",
    "SWAP_TRIALS",
    "Structure",
    "audit",
    "edition_findings",
    "findings",
    "growing",
    "information_lost",
    "interval",
    "joint_feasible",
    "lp_findings",
    "lp_ranges",
    "lp_values",
    "propagate",
    "protect",
    "relations",
    "secondary_suppression",
    "structure",
    "suppressed",
]


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
