"""The first differencing audit: interval propagation over the sums of a page.

`findings` is fast, but it only knows the sums and models every `<10` as 0..9; kept as a
cheap first look and for comparison with the attacker's integer program (audit_program.py),
which is the audit that decides. `secondary_suppression` hides cells until interval
propagation narrows none; `edition_findings` compares two editions cell by cell.
"""

from __future__ import annotations

import math

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
