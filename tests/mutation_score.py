"""Mutation score per module from mutmut's result files (`make mutate` prints this).

Reads mutants/src/**/*.py.meta (mutmut 3: exit code per mutant), counts killed (including
timeouts, as mutmut's own score does) against all mutants that were run, prints one line
per module and the survivors, and writes the same to mutants/score.txt.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
KILLED = {"killed", "timeout", "segfault"}


def main() -> int:
    metas = sorted((ROOT / "mutants" / "src").rglob("*.py.meta"))
    if not metas:
        print("no mutmut results under mutants/: run `make mutate`", file=sys.stderr)
        return 2
    lines, survivors, total = [], [], Counter()
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        status = Counter(status_by_exit_code[c] for c in codes.values())
        run = sum(n for s, n in status.items() if s not in ("skipped", "not checked"))
        killed = sum(status[s] for s in KILLED)
        total.update(status)
        name = meta.name.removesuffix(".meta")
        lines.append(
            f"{name:16s} {killed:4d}/{run:<4d} killed  {100 * killed / max(run, 1):5.1f}%  "
            + ", ".join(f"{s} {n}" for s, n in sorted(status.items()) if s not in KILLED)
        )
        survivors += sorted(
            k for k, c in codes.items() if status_by_exit_code[c] not in KILLED | {"skipped", "not checked"}
        )
    run = sum(n for s, n in total.items() if s not in ("skipped", "not checked"))
    killed = sum(total[s] for s in KILLED)
    lines.append(f"{'all':16s} {killed:4d}/{run:<4d} killed  {100 * killed / max(run, 1):5.1f}%")
    lines += ["", "not killed:", *survivors]
    text = "\n".join(lines) + "\n"
    (ROOT / "mutants" / "score.txt").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
