"""Performance of what users run, side by side with DuckDB floors and a pandas baseline (issue 13).

    make bench                                           # scales 1, 10, 30 and `gestapeld run`
    BENCH_SCALES=1,10 make bench                         # quicker
    .venv/bin/python benchmarks/bench.py --scales 1,10 --no-run   # only the commands and the engine
    .venv/bin/python benchmarks/bench.py --render-only   # rewrite bench.md from bench.csv
    .venv/bin/python benchmarks/bench.py --book          # also time `make book` in a clone
    .venv/bin/python benchmarks/bench.py --scales 1,10 --sql-dir DIR --out /tmp/x
                                                         # a proposed SQL change, side by side

What is measured, per scale of the synthetic extract (scale 1 is about 565,000 rows):

* tables: `gestapeld tables --data X --iteration v3 --intern --out DIR`, the whole command in
  a fresh process (start-up, validation, one read of the file, linkage, disclosure control,
  writing), with an empty extract cache (cold: what a user waits for on a new extract);
* tables (warm): the same with the validation already in the cache;
* validate: `gestapeld validate X`, the whole command, empty cache;
* engine: `gestapeld.engine.counts.compute(path, iteration)` timed inside the process (imports excluded);
* pandas: `benchmarks/pandas_baseline.py`, the same rules in vectorised pandas; its results
  must be identical to the engine's, or this script stops with the differences;
* floor: a Python process with DuckDB reading the Parquet and joining it once to itself on
  the referent (referent_id = persoon_id): the least work any linkage has to do. The
  commands are compared with the floor's whole process (start-up included), the engine with
  the floor's timed part.

And `gestapeld run` on the scale-1 extract (the book's default) in a copy of the project: cold
(empty cache, every notebook executed), warm (nothing changed), and its floor: the same
notebooks with their code cells emptied, executed by the same runner with the same number
of workers.

Every measurement runs in a fresh process; peak memory is that process's maximum resident
set size, read with `/usr/bin/time -f %M` (for `run`: the largest single process, kernels
included, as GNU time reports it). Each round measures every scale and method once before
the next round starts, and the median of `--repeats` rounds is reported: the ratios are
measured side by side on the same shared, noisy machine, not minutes apart.

Writes benchmarks/results/bench.csv and bench.md (included by book/prestaties.md) and
prints the table with the targets. Timings are never asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench_book import bench_book
from bench_measure import RESULTS, WORKER_METHODS, add_ratios, bench_run, run_scales, targets, worker
from bench_report import machine, print_summary, read_csv, write_csv, write_md


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default=os.environ.get("BENCH_SCALES") or "1,10,30",
                    help="comma-separated scales of the synthetic extract (default $BENCH_SCALES or 1,10,30)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--run-repeats", type=int, default=3, help="rounds of gestapeld run (cold, warm, floor)")
    ap.add_argument("--no-run", action="store_true", help="skip the gestapeld run measurements")
    ap.add_argument("--iteration", default="v3")
    ap.add_argument("--pandas-max-scale", type=float, default=10.0,
                    help="skip the pandas baseline above this scale (memory and time)")
    ap.add_argument("--book", action="store_true", help="also time make book cold / warm / after one edit")
    ap.add_argument("--book-only", action="store_true", help="only the make book timings")
    ap.add_argument("--render-only", action="store_true",
                    help="only rewrite bench.md and the summary from the last bench.csv (no measuring)")
    ap.add_argument("--book-iteration", default="v2", help="the iteration whose peildatum is edited")
    ap.add_argument("--book-cold", choices=("empty", "clone"), default="empty",
                    help="cold = clone without its executed notebooks (default) or as committed")
    ap.add_argument("--keep-clone", action="store_true")
    ap.add_argument("--sql-dir", type=Path, default=None,
                    help="also measure the engine with the SQL files of this folder (a proposed change)")
    ap.add_argument("--out", type=Path, default=RESULTS,
                    help="folder for bench.csv and bench.md (default benchmarks/results; the book includes that one)")
    ap.add_argument("--worker", choices=WORKER_METHODS, help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--dump", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        worker(args.worker, args.path, args.iteration, args.dump)
        return 0

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path, book_path = out / "bench.csv", out / "bench.md", out / "book.json"
    meta_path = out / "bench_meta.json"
    book = json.loads(book_path.read_text()) if book_path.exists() else None
    if args.book_only or args.render_only:
        if not csv_path.exists():
            raise SystemExit(f"no {csv_path} yet: run the benchmark first")
        rows = read_csv(csv_path)
        meta = json.loads(meta_path.read_text())
        repeats = int(meta.get("repeats", args.repeats))
    else:
        scales = sorted(float(s) for s in args.scales.split(",") if s.strip())
        sql_dir = args.sql_dir.resolve() if args.sql_dir else None
        if sql_dir and not (sql_dir / "zaken.sql").exists():
            raise SystemExit(f"--sql-dir {sql_dir}: no zaken.sql there (copy src/gestapeld/engine/sql/ and edit)")
        rows = run_scales(scales, repeats=args.repeats, iteration_id=args.iteration,
                          pandas_max=args.pandas_max_scale, sql_dir=sql_dir)
        meta = {**machine(), "iteration": args.iteration, "repeats": args.repeats}
        repeats = args.repeats
        add_ratios(rows)  # written now too, so that the commands are kept if `run` is interrupted
        write_csv(rows, csv_path)
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        write_md(rows, targets(rows, book), meta, book, md_path, repeats)
        if not args.no_run:
            try:
                run_rows, workers = bench_run(repeats=args.run_repeats)
                rows += run_rows
                meta.update(run_repeats=args.run_repeats, run_workers=workers)
            except SystemExit as err:  # keep the measurements of the commands
                print(f"gestapeld run not measured: {err}", file=sys.stderr)
        repeats = args.repeats
        add_ratios(rows)
        write_csv(rows, csv_path)
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    add_ratios(rows)  # recomputed from the stored seconds and rows
    if args.book or args.book_only:
        book = bench_book(args.book_iteration, cold=args.book_cold, keep=args.keep_clone)
        book_path.write_text(json.dumps(book, indent=1) + "\n")
    tg = targets(rows, book)
    write_md(rows, tg, meta, book, md_path, repeats)
    print_summary(rows, tg)
    print(f"\nwrote {md_path}" if args.render_only else f"\nwrote {csv_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
