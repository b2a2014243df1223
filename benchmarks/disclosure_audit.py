"""Old interval audit vs the attacker's integer program, and the cost of secondary suppression.

    .venv/bin/python benchmarks/disclosure_audit.py [N]

On N (default 40) small synthetic extracts (seed i, scales 0.02 to 0.3, iterations v2 and
v3 alternating, the ones with four forms) and on the default extract (scale 1, every
iteration): the hidden cells each audit finds narrow before secondary suppression, the
cells secondary suppression hides (count, and share of the page's cells and of the sum of
their exact counts), and the wall time of one audit of the protected page.
"""
from __future__ import annotations

import sys
import time

from gestapeld import config
from gestapeld.engine import counts, synth
from gestapeld.protection import disclosure
from gestapeld.protection import disclosure_audit as da
from gestapeld.publication import report

POL = disclosure.DEFAULT
SCALES = (0.02, 0.05, 0.1, 0.2, 0.3)


def measure(res) -> dict:
    it = res.iteration
    cells, exact, struct = report.page_cells(res, POL)
    old = {k for k, _ in da.findings(cells, list(it.vormen), threshold=POL.threshold, base=POL.base)}
    t = time.perf_counter()
    page, first = report.protect_result(res)
    t_protect = time.perf_counter() - t
    t = time.perf_counter()
    left = da.lp_findings(page, struct, POL)
    t_audit = time.perf_counter() - t
    hidden = [k for k, v in page.items() if v == POL.secondary]
    return {"cells": len(page), "old": len(old), "lp": len(first), "missed": len(set(first) - old),
            "old_only": len(old - set(first)), "secondary": len(hidden),
            "info": sum(exact[k] for k in hidden), "info_total": sum(exact.values()),
            "left": len(left), "t_protect": t_protect, "t_audit": t_audit}


def summary(name: str, rows: list[dict]) -> None:
    s = {k: sum(r[k] for r in rows) for k in rows[0]}
    ta = sorted(r["t_audit"] for r in rows)
    print(f"{name}: {len(rows)} pages, {s['cells']} cells; narrow before secondary suppression: "
          f"old audit {s['old']}, LP audit {s['lp']} (missed by the old: {s['missed']}, old only: {s['old_only']}); "
          f"pages with an LP finding: {sum(r['lp'] > 0 for r in rows)}; secondary suppressions {s['secondary']} "
          f"({s['secondary'] / s['cells']:.1%} of cells, {s['info'] / max(1, s['info_total']):.2%} of the summed counts); "
          f"findings left {s['left']}; audit of a protected page median {ta[len(ta) // 2]:.2f}s max {ta[-1]:.2f}s; "
          f"protection total {s['t_protect']:.1f}s")


def main(n: int = 40) -> None:
    rows = []
    for i in range(1, n + 1):
        scale = SCALES[i % len(SCALES)]
        it = config.iteration("v2" if i % 2 else "v3")
        rows.append(measure(counts.compute(synth.generate(seed=i, scale=scale), it)))
        r = rows[-1]
        print(f"  seed {i} scale {scale} {it.id}: old {r['old']} lp {r['lp']} secondary {r['secondary']} "
              f"audit {r['t_audit']:.2f}s", flush=True)
    summary("small extracts", rows)
    default = [measure(report.result(it)) for it in config.iterations().values()]
    for it, r in zip(config.iterations(), default):
        print(f"  default {it}: {r}")
    summary("default extract (scale 1)", default)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
