"""The solver work of protecting pages, counted: compare two versions of the audit on a noisy machine.

    .venv/bin/python benchmarks/audit_solves.py [N]

Protects the v3, v2, v1 and v0 pages (in turn) of N (default 40) small synthetic extracts
(seed 1000 + i, scales 0.01 to 0.1) and the v1 and v3 pages of the default extract, as a
page is protected in the book (`report.protect_result`), and prints what HiGHS did: the
number of solves (`Highs.run`) and their simplex iterations, the CPU seconds of the whole
protection, and a digest of every published cell of every page.

Seconds on a shared machine move by a fifth between identical runs; the counts do not move
at all. Run it on two commits (a clone each): the same digest means the same pages, and the
counts say how much work the change saved.
"""

from __future__ import annotations

import hashlib
import sys
import time

import highspy

from gestapeld import config
from gestapeld.engine import counts, synth
from gestapeld.publication import report

SCALES = (0.01, 0.02, 0.03, 0.05, 0.1)
ITERATIONS = ("v3", "v2", "v1", "v0")


def results(n: int) -> list:
    out = []
    for i in range(n):
        it = config.iteration(ITERATIONS[i % 4])
        out.append(counts.compute(synth.generate(seed=1000 + i, scale=SCALES[i % len(SCALES)]), it))
    out += [report.result(i) for i in ("v1", "v3")]  # the default extract's kept results
    return out


def main(n: int = 40) -> None:
    pages = results(n)
    work = {"runs": 0, "iterations": 0}
    run = highspy.Highs.run

    def counted(self, *args, **kwargs):
        status = run(self, *args, **kwargs)
        work["runs"] += 1
        work["iterations"] += self.getInfo().simplex_iteration_count
        return status

    highspy.Highs.run = counted
    digest = hashlib.sha256()
    cpu = time.process_time()
    for res in pages:
        page, _ = report.protect_result(res)
        digest.update(repr(sorted(page.items())).encode())
    cpu = time.process_time() - cpu
    print(
        f"{len(pages)} pages: {work['runs']} HiGHS solves, "
        f"{work['iterations']} simplex iterations, {cpu:.1f} s CPU; pages {digest.hexdigest()[:16]}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
