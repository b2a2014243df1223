"""tau-ARGUS's own audit (pytauargus, the native port of `intervalle`) of a page's main table,
given the intervals the page publishes, for an independent check of the protection.

The main table: form (and `alle`) x year (and `totaal`) x measure (aanvragen and the four
outcomes; personen does not add up). Written in tau-ARGUS's JJ format, one line per cell
(`index value cost status lower upper lpl upl spl`) and one per relation (`0 n : total (-1)
part (1) ...`). tau-ARGUS assumes a cell it is told is safe (`s`) is published exactly; a
rounded number is not, so every cell goes in as suppressed (`m`) with the interval the
policy gives it (rule 4: v-5 .. v+4, at least 10; `<10` 1..9 or 0..9; `x` 0 .. any; `0`
fixed). Its audit solves linear programs: the range of each cell over real numbers, which
contains the integer range, so tau-ARGUS can only see a cell as wider than the exact
integer audit does.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

OUTCOMES = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")
MEASURES = ("aanvragen", *OUTCOMES)
BIG = 10**6


def main_table(page: dict[tuple, str], forms: list[str]) -> list[tuple]:
    years = sorted({j for _, j, _ in page if j.isdigit()})
    return [(c, j, m) for c in [*forms, "alle"] for j in [*years, "totaal"] for m in MEASURES if (c, j, m) in page]


def _bounds(key: tuple, page: dict[tuple, str]) -> tuple[int, int, str]:
    text = page[key]
    if text == "0":
        return 0, 0, "z"
    if text == "x":
        return 0, BIG, "m"
    if text == "<10":
        group = page.get((key[0], key[1], "aanvragen"))
        small = key[2] != "aanvragen" and group in ("<10", "x", None)
        return (0 if small else 1), 9, "u"
    v = int(text)
    return max(10, v - 5), v + 4, "m"


def audit(page: dict[tuple, str], exact: dict[tuple, int], forms: list[str]) -> dict[tuple, tuple[float, float]]:
    """tau-ARGUS's feasible range (min, max) of every cell of the main table."""
    from pytauargus.engine import audit_jj

    cells = main_table(page, forms)
    ix = {k: i for i, k in enumerate(cells)}
    years = sorted({j for _, j, _ in cells if j.isdigit()})
    lines = ["0", str(len(cells))]
    for i, k in enumerate(cells):
        lo, hi, status = _bounds(k, page)
        v = exact[k]
        lines.append(f"{i} {v} {max(v, 1)} {status} {lo} {hi} 0.000 0.000 0")
    rels = []
    for c in [*forms, "alle"]:
        for j in [*years, "totaal"]:
            rels.append([(c, j, "aanvragen"), *[(c, j, m) for m in OUTCOMES]])
    for j in [*years, "totaal"]:
        for m in MEASURES:
            rels.append([("alle", j, m), *[(f, j, m) for f in forms]])
    for c in [*forms, "alle"]:
        for m in MEASURES:
            rels.append([(c, "totaal", m), *[(c, y, m) for y in years]])
    rels = [r for r in rels if all(k in ix for k in r)]
    lines.append(str(len(rels)))
    for total, *parts in rels:
        lines.append(f"0 {len(parts) + 1} : {ix[total]} (-1) " + " ".join(f"{ix[p]} (1)" for p in parts) + " ")
    with tempfile.TemporaryDirectory() as tmp:
        jj = Path(tmp) / "tabel.jj"
        jj.write_text("\n".join(lines) + "\n")
        rows = audit_jj(str(jj))
    return {cells[r["cell"]]: (float(r["min"]), float(r["max"])) for r in rows}


def possible(lo: float, hi: float) -> int:
    """Integer values in a real range."""
    return max(0, math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) + 1)
