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
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
TMP = RESULTS / "tmp"
SEED = 20240216
COLUMNS = ["zaak_id", "persoon_id", "referent_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit"]
WORKER_METHODS = ("engine", "engine_alt", "pandas", "floor")  # timed inside a worker process
COMMAND_METHODS = ("tables", "tables_warm", "validate")       # whole commands, timed from outside
ALL_METHODS = ("tables", "tables_warm", "validate", "engine", "engine_alt", "pandas", "floor")
RUN_METHODS = ("run_cold", "run_warm", "run_floor")
METHOD_LABEL = {
    "tables": "`gestapeld tables`, hele commando, koud",
    "tables_warm": "`gestapeld tables`, warm (extract al gecontroleerd)",
    "validate": "`gestapeld validate`, hele commando, koud",
    "engine": "engine alleen (DuckDB-SQL)",
    "engine_alt": "engine met SQL-variant (--sql-dir)",
    "pandas": "pandas-baseline",
    "floor": "vloer: DuckDB lezen + 1 self-join",
    "run_cold": "`gestapeld run`, koud (alle notebooks)",
    "run_warm": "`gestapeld run`, warm (niets gewijzigd)",
    "run_floor": "vloer van run: dezelfde notebooks zonder code",
}
TIME_BIN = "/usr/bin/time"
GIB = 1024.0

# Targets (issue 13; the engine targets of issue 6 stay).
T_TABLES_FLOOR, T_TABLES_MEM_GIB, T_VALIDATE_FLOOR = 3.0, 1.0, 2.0
T_RUN_FLOOR, T_RUN_WARM_S = 3.0, 2.0
T_SPEEDUP, T_FLOOR = 5.0, 3.0


# =========================================================================== worker side


def _vmhwm_kib() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def worker(method: str, path: str, iteration_id: str, dump: str | None) -> None:
    """One timed measurement in this (fresh) process; prints one JSON line."""
    result = None
    if method in ("engine", "engine_alt"):
        from gestapeld import config
        from gestapeld.engine import counts, linkage
        if method == "engine_alt":  # a proposed variant of the SQL files, measured side by side
            linkage.SQL_DIR = Path(os.environ["GESTAPELD_BENCH_SQL_DIR"])
            linkage.sql.cache_clear()
        it = config.iteration(iteration_id)
        t0 = time.perf_counter()
        result = counts.compute(path, it)
        seconds = time.perf_counter() - t0
    elif method == "pandas":
        sys.path.insert(0, str(HERE))
        import pandas_baseline
        from gestapeld import config
        it = config.iteration(iteration_id)
        t0 = time.perf_counter()
        result = pandas_baseline.compute(path, it)
        seconds = time.perf_counter() - t0
    elif method == "floor":
        import duckdb
        quoted = path.replace("'", "''")
        t0 = time.perf_counter()
        con = duckdb.connect(":memory:")
        con.execute(f"CREATE TEMP TABLE z AS SELECT {', '.join(COLUMNS)} FROM read_parquet('{quoted}')")
        pairs = con.execute(
            "SELECT count(*), count(DISTINCT y.persoon_id) FROM z AS x JOIN z AS y ON x.referent_id = y.persoon_id"
        ).fetchone()
        con.close()
        seconds = time.perf_counter() - t0
        assert pairs[0] > 0
    else:
        raise SystemExit(f"unknown method {method}")
    if dump and result is not None:  # outside the timed part: for the identity check
        import pickle
        parts = {k: getattr(result, k) for k in ("tabel", "diepte", "tussentijd", "eigen_vergunning")}
        Path(dump).write_bytes(pickle.dumps(parts))
    print(json.dumps({"seconds": seconds, "vmhwm_kib": _vmhwm_kib()}))


# =========================================================================== extracts


def _generator_hash() -> str:
    import gestapeld.engine.synth as synth
    return hashlib.sha256(Path(synth.__file__).read_bytes()).hexdigest()[:16]


def _parquet_rows(path: Path) -> int | None:
    try:
        import pyarrow.parquet as pq
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - unreadable: regenerate
        return None


def ensure_extract(scale: float, *, seed: int = SEED) -> tuple[Path, int]:
    """The synthetic extract at this scale under results/tmp/, reused when still right.

    Reused when the parquet holds the number of rows recorded beside it, for the same scale,
    seed and generator code; else (re)written in a child process (so that this process stays
    small).
    """
    TMP.mkdir(parents=True, exist_ok=True)
    name = f"synth_s{scale:g}"
    path, meta_path = TMP / f"{name}.parquet", TMP / f"{name}.json"
    want = {"scale": scale, "seed": seed, "generator": _generator_hash()}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in want.items()) and _parquet_rows(path) == meta.get("rows"):
            return path, int(meta["rows"])
    print(f"  writing synthetic extract at scale {scale:g} ...", flush=True)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys; from gestapeld.engine import synth; "
         "print(synth.write(sys.argv[1], seed=int(sys.argv[2]), scale=float(sys.argv[3])))",
         str(path), str(seed), repr(scale)],
        check=True, capture_output=True, text=True,
    )
    rows = int(out.stdout.strip().splitlines()[-1])
    meta_path.write_text(json.dumps({**want, "rows": rows}))
    print(f"  {rows:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    return path, rows


# =========================================================================== measuring


def gestapeld_bin() -> str:
    return str(Path(sys.executable).with_name("gestapeld"))


def timed(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
          what: str = "") -> dict:
    """Run one process; its wall time, peak memory (KiB -> MiB) and stdout."""
    use_time = os.access(TIME_BIN, os.X_OK)
    TMP.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss", dir=TMP) as mem:
        full = [TIME_BIN, "-f", "%M", "-o", mem.name, *cmd] if use_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
            raise SystemExit(f"BENCHMARK FAILED: {what or cmd[0]} exited with {proc.returncode}")
        maxrss = None
        if use_time:
            text = mem.read().strip().splitlines()
            maxrss = int(text[-1]) if text and text[-1].isdigit() else None
    return {"wall": wall, "peak_kib": maxrss, "stdout": proc.stdout}


def measure(method: str, path: Path, iteration_id: str, dump: Path | None = None, *,
            sql_dir: Path | None = None, warm_cache: Path | None = None) -> dict:
    """One measurement in a fresh process: seconds, whole-process seconds, peak memory."""
    if method in COMMAND_METHODS:
        cache = warm_cache if method == "tables_warm" else Path(tempfile.mkdtemp(prefix="cache-", dir=TMP))
        out = Path(tempfile.mkdtemp(prefix="out-", dir=TMP))
        try:
            if method == "validate":
                cmd = [gestapeld_bin(), "validate", str(path)]
            else:
                cmd = [gestapeld_bin(), "tables", "--data", str(path), "--iteration", iteration_id,
                       "--intern", "--out", str(out / "tabellen")]
            res = timed(cmd, env={"GESTAPELD_CACHE": str(cache)}, what=f"{method} on {path.name}")
        finally:
            shutil.rmtree(out, ignore_errors=True)
            if method != "tables_warm":
                shutil.rmtree(cache, ignore_errors=True)
        return {"seconds": res["wall"], "process": res["wall"], "peak_mib": (res["peak_kib"] or 0) / 1024.0}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", method, "--path", str(path),
           "--iteration", iteration_id]
    if dump:
        cmd += ["--dump", str(dump)]
    res = timed(cmd, env={"GESTAPELD_BENCH_SQL_DIR": str(sql_dir or "")}, what=f"{method} on {path.name}")
    report = json.loads(res["stdout"].strip().splitlines()[-1])
    peak_kib = res["peak_kib"] or report.get("vmhwm_kib") or 0
    return {"seconds": report["seconds"], "process": res["wall"], "peak_mib": peak_kib / 1024.0}


def check_identical(engine_dump: Path, other_dump: Path, scale: float, other: str = "pandas") -> None:
    """Stop loudly when the pandas baseline (or an SQL variant) and the engine disagree in any cell."""
    import pickle
    from types import SimpleNamespace
    sys.path.insert(0, str(HERE))
    import pandas_baseline
    a = SimpleNamespace(**pickle.loads(engine_dump.read_bytes()))
    b = SimpleNamespace(**pickle.loads(other_dump.read_bytes()))
    problems = pandas_baseline.differences(a, b)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(f"BENCHMARK FAILED: {other} differs from the engine at scale {scale:g} "
                         "(see above); fix one of them before comparing speed")
    print(f"  identical results: engine and {other} agree on every cell at scale {scale:g}", flush=True)


def _row(scale: float, nrows: int, method: str, runs: list[dict], note: str = "") -> dict:
    if not runs:
        return {"scale": scale, "rows": nrows, "method": method, "seconds": None, "process": None,
                "rows_per_s": None, "peak_mib": None, "runs": "", "note": note}
    secs = [x["seconds"] for x in runs]
    med = statistics.median(secs)
    return {"scale": scale, "rows": nrows, "method": method, "seconds": med,
            "process": statistics.median(x["process"] for x in runs), "rows_per_s": nrows / med if nrows else None,
            "peak_mib": max(x["peak_mib"] for x in runs), "runs": ";".join(f"{x:.3f}" for x in secs), "note": note}


def run_scales(scales: list[float], *, repeats: int, iteration_id: str, pandas_max: float,
               sql_dir: Path | None = None) -> list[dict]:
    """Every (scale, method) `repeats` times, interleaved over scales and methods.

    Round r measures every scale and method once before round r + 1 starts, so that a busy
    minute on the shared machine hits all of them: the ratios between methods and between
    scales are measured side by side, not minutes apart.
    """
    extracts = {scale: ensure_extract(scale) for scale in scales}
    methods_at = {scale: [m for m in ALL_METHODS if (m != "pandas" or scale <= pandas_max)
                          and (m != "engine_alt" or sql_dir)] for scale in scales}
    runs: dict[tuple[float, str], list[dict]] = {(s, m): [] for s in scales for m in methods_at[s]}
    dumps = {(s, m): TMP / f"out_s{s:g}_{m}.pkl" for s in scales for m in ("engine", "pandas", "engine_alt")}
    warm = {}
    for scale in scales:  # the warm cache: one validation per extract, outside the timings
        warm[scale] = TMP / f"cache_s{scale:g}"
        shutil.rmtree(warm[scale], ignore_errors=True)
        timed([gestapeld_bin(), "validate", str(extracts[scale][0])], env={"GESTAPELD_CACHE": str(warm[scale])},
              what=f"validate (warm-up) on scale {scale:g}")
    try:
        for r in range(repeats):
            for scale in scales:
                path, nrows = extracts[scale]
                for m in methods_at[scale]:
                    res = measure(m, path, iteration_id, dumps.get((scale, m)) if r == 0 else None,
                                  sql_dir=sql_dir, warm_cache=warm[scale])
                    runs[(scale, m)].append(res)
                    print(f"  round {r + 1}/{repeats} scale {scale:<4g} {m:12s} {res['seconds']:8.2f} s "
                          f"(process {res['process']:6.2f} s) {res['peak_mib']:8.0f} MiB", flush=True)
                if r == 0:
                    for other in ("pandas", "engine_alt"):
                        if other in methods_at[scale]:
                            check_identical(dumps[(scale, "engine")], dumps[(scale, other)], scale, other)
    finally:
        for c in warm.values():
            shutil.rmtree(c, ignore_errors=True)
    rows_out: list[dict] = []
    for scale in scales:
        nrows = extracts[scale][1]
        for m in ALL_METHODS:
            if m == "engine_alt" and not sql_dir:
                continue
            if m not in methods_at[scale]:
                rows_out.append(_row(scale, nrows, m, [], f"overgeslagen boven schaal {pandas_max:g} (geheugen en tijd)"))
                continue
            rows_out.append(_row(scale, nrows, m, runs[(scale, m)]))
    return rows_out


# --------------------------------------------------------------------------- gestapeld run


def _empty_code_cells(folder: Path) -> None:
    """Every notebook template under `folder` with its code cells emptied (the run's floor)."""
    import nbformat
    for nb_path in folder.rglob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = ""
                cell.outputs = []
        nbformat.write(nb, nb_path)


def _run_jobs_option() -> tuple[list[str], str]:
    """`--jobs 2` when the runner has that option, else nothing (one worker)."""
    help_text = subprocess.run([gestapeld_bin(), "run", "--help"], capture_output=True, text=True).stdout
    if "--jobs" in help_text:
        return ["--jobs", "2"], "2 workers"
    return [], "1 worker (de runner heeft nog geen --jobs)"


def bench_run(*, repeats: int) -> tuple[list[dict], str]:
    """`gestapeld run` on the scale-1 extract in copies of the project: cold, warm, floor."""
    path, nrows = ensure_extract(1.0)
    jobs, workers = _run_jobs_option()
    work = Path(tempfile.mkdtemp(prefix="run-", dir=TMP))
    projects = {}
    try:
        for kind in ("real", "floor"):
            root = work / kind
            shutil.copytree(ROOT / "book", root / "book",
                            ignore=shutil.ignore_patterns("_edities", ".*.tmp.ipynb", ".*.input.ipynb"))
            shutil.copytree(ROOT / "notebooks", root / "notebooks")
            (root / "data").mkdir()
            os.symlink(path, root / "data" / "synthetisch.parquet")
            if kind == "floor":
                _empty_code_cells(root / "notebooks")
            projects[kind] = root
        runs: dict[str, list[dict]] = {m: [] for m in RUN_METHODS}

        def env(root: Path, cache: Path) -> dict[str, str]:
            return {"GESTAPELD_ROOT": str(root), "GESTAPELD_CACHE": str(cache)}

        for r in range(repeats):
            cache = work / f"cache_{r}"
            shutil.rmtree(cache, ignore_errors=True)
            steps = [("run_cold", projects["real"], ["--force"]), ("run_warm", projects["real"], []),
                     ("run_floor", projects["floor"], ["--force"])]
            for method, root, extra in steps:
                res = timed([gestapeld_bin(), "run", *extra, *jobs], env=env(root, cache), cwd=root,
                            what=f"gestapeld {method}")
                runs[method].append({"seconds": res["wall"], "process": res["wall"],
                                     "peak_mib": (res["peak_kib"] or 0) / 1024.0})
                print(f"  round {r + 1}/{repeats} {method:10s} {res['wall']:8.2f} s "
                      f"{(res['peak_kib'] or 0) / 1024.0:8.0f} MiB", flush=True)
        return [_row(1.0, nrows, m, runs[m]) for m in RUN_METHODS], workers
    finally:
        shutil.rmtree(work, ignore_errors=True)


# =========================================================================== ratios and targets


def add_ratios(rows: list[dict]) -> None:
    """Ratio to the floor at the same scale; growth vs the smallest scale; pandas / engine."""
    by = {(r["scale"], r["method"]): r for r in rows}
    smallest = min(r["scale"] for r in rows if r["method"] in ALL_METHODS)
    for r in rows:
        r.update(speedup_vs_pandas=None, over_floor=None, growth=None, growth_linear=None, growth_nlogn=None)
        if not r["seconds"]:
            continue
        f, p = by.get((r["scale"], "floor")), by.get((r["scale"], "pandas"))
        if r["method"] in COMMAND_METHODS and f and f.get("process"):
            r["over_floor"] = r["seconds"] / f["process"]   # whole process against whole process
        elif r["method"] in ("engine", "engine_alt", "pandas") and f and f["seconds"]:
            r["over_floor"] = r["seconds"] / f["seconds"]   # timed part against timed part
        elif r["method"] in ("run_cold", "run_warm"):
            rf = by.get((r["scale"], "run_floor"))
            if rf and rf["seconds"]:
                r["over_floor"] = r["seconds"] / rf["seconds"]
        if r["method"] in ("engine", "engine_alt") and p and p["seconds"]:
            r["speedup_vs_pandas"] = p["seconds"] / r["seconds"]
        base = by.get((smallest, r["method"]))
        if r["method"] in ALL_METHODS and r["scale"] != smallest and base and base["seconds"]:
            k = r["rows"] / base["rows"]
            r["growth"] = r["seconds"] / base["seconds"]
            r["growth_linear"] = k
            r["growth_nlogn"] = k * math.log(r["rows"]) / math.log(base["rows"])


def targets(rows: list[dict], book: dict | None) -> list[dict]:
    """Each target with what was measured and whether it is met (None: not measured)."""
    by = {(r["scale"], r["method"]): r for r in rows}
    out = []

    def add(name, measured, norm, met):
        out.append({"doel": name, "gemeten": measured, "norm": norm, "gehaald": met})

    def ratio(scale, method, limit, name):
        r = by.get((scale, method))
        if r and r["over_floor"]:
            add(name, f"{r['over_floor']:.1f}x ({r['seconds']:.2f} s)", f"<= {limit:g}x", r["over_floor"] <= limit)
        else:
            add(name, "niet gemeten", f"<= {limit:g}x", None)

    ratio(10, "tables", T_TABLES_FLOOR, "`tables` koud t.o.v. vloer (schaal 10)")
    t10 = by.get((10, "tables"))
    if t10 and t10["peak_mib"]:
        add("piekgeheugen `tables` (schaal 10)", f"{t10['peak_mib'] / GIB:.2f} GiB", f"< {T_TABLES_MEM_GIB:g} GiB",
            t10["peak_mib"] / GIB < T_TABLES_MEM_GIB)
    else:
        add("piekgeheugen `tables` (schaal 10)", "niet gemeten", f"< {T_TABLES_MEM_GIB:g} GiB", None)
    ratio(10, "validate", T_VALIDATE_FLOOR, "`validate` koud t.o.v. vloer (schaal 10)")
    t30, t1 = by.get((30, "tables")), by.get((1, "tables"))
    if t30 and t30["seconds"]:
        grow = (f"; groei t.o.v. schaal 1: {t30['growth']:.1f}x (n log n {t30['growth_nlogn']:.1f}x)"
                if t1 and t30["growth"] else "")
        add("schaal 30 voltooid (`tables`)", f"{t30['seconds']:.1f} s, {t30['peak_mib'] / GIB:.2f} GiB{grow}",
            "voltooit; groei <= n log n",
            (t30["growth"] <= t30["growth_nlogn"]) if t30["growth"] else True)
    else:
        add("schaal 30 voltooid (`tables`)", "niet gedraaid", "voltooit; groei <= n log n", None)
    rc, rw = by.get((1, "run_cold")), by.get((1, "run_warm"))
    if rc and rc["over_floor"]:
        add("`run` koud t.o.v. zijn vloer", f"{rc['over_floor']:.1f}x ({rc['seconds']:.0f} s)", f"<= {T_RUN_FLOOR:g}x",
            rc["over_floor"] <= T_RUN_FLOOR)
    else:
        add("`run` koud t.o.v. zijn vloer", "niet gemeten", f"<= {T_RUN_FLOOR:g}x", None)
    if rw and rw["seconds"]:
        add("`run` warm, niets gewijzigd", f"{rw['seconds']:.2f} s", f"< {T_RUN_WARM_S:g} s", rw["seconds"] < T_RUN_WARM_S)
    else:
        add("`run` warm, niets gewijzigd", "niet gemeten", f"< {T_RUN_WARM_S:g} s", None)
    e10 = by.get((10, "engine"))
    if e10 and e10["speedup_vs_pandas"]:
        add("engine sneller dan pandas (schaal 10)", f"{e10['speedup_vs_pandas']:.1f}x",
            f">= {T_SPEEDUP:g}x", e10["speedup_vs_pandas"] >= T_SPEEDUP)
    engines = [r for r in rows if r["method"] == "engine" and r["over_floor"]]
    if engines:
        add("engine alleen t.o.v. vloer (elke schaal)",
            "; ".join(f"{r['over_floor']:.1f}x (schaal {r['scale']:g})" for r in engines),
            f"<= {T_FLOOR:g}x", max(r["over_floor"] for r in engines) <= T_FLOOR)
    return out


# =========================================================================== output

CSV_COLUMNS = ["scale", "rows", "method", "seconds", "process", "rows_per_s", "peak_mib", "over_floor",
               "speedup_vs_pandas", "growth", "growth_linear", "growth_nlogn", "runs", "note"]


def write_csv(rows: list[dict], path: Path) -> None:
    import csv
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: _csv_value(r.get(k)) for k in CSV_COLUMNS})


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}" if abs(v) < 1000 else f"{v:.0f}"
    return v


def read_csv(path: Path) -> list[dict]:
    import csv
    out = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            row: dict = {}
            for k, v in r.items():
                if k in ("method", "runs", "note"):
                    row[k] = v
                elif v == "" or v is None:
                    row[k] = None
                else:
                    row[k] = float(v)
            row["rows"] = int(row["rows"])
            out.append(row)
    return out


def _n(v, fmt: str, empty: str = "") -> str:
    return empty if v is None else format(v, fmt)


def _nl(text: str) -> str:
    """Numbers in Dutch notation for the book page (1.234,5); other text untouched."""
    swap = str.maketrans({",": ".", ".": ","})
    return re.sub(r"\d+(?:,\d{3})*(?:\.\d+)?", lambda m: m.group(0).translate(swap), text)


def _target_of(r: dict) -> str:
    """The target beside a measured ratio (only where the issue sets one)."""
    s, m = r["scale"], r["method"]
    if m == "tables" and s == 10:
        return f"<= {T_TABLES_FLOOR:g}x, < {T_TABLES_MEM_GIB:g} GiB"
    if m == "validate" and s == 10:
        return f"<= {T_VALIDATE_FLOOR:g}x"
    if m == "tables" and s == 30:
        return "voltooit"
    if m == "run_cold":
        return f"<= {T_RUN_FLOOR:g}x"
    if m == "run_warm":
        return f"< {T_RUN_WARM_S:g} s"
    if m == "engine":
        return f"<= {T_FLOOR:g}x" + (f"; pandas >= {T_SPEEDUP:g}x" if s == 10 else "")
    return ""


def table_lines(rows: list[dict], *, dutch: bool) -> list[str]:
    f = _nl if dutch else (lambda s: s)
    head = ["schaal", "rijen", "meting", "seconden", "piek (MiB)", "t.o.v. vloer", "doel",
            "pandas / engine", "groei t.o.v. kleinste schaal"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---:", "---:", ":---", "---:", "---:", "---:", ":---",
                                                              "---:", "---:"]) + "|"]
    for r in rows:
        growth = (f(f"{r['growth']:.1f}x") + f" (lineair {f(format(r['growth_linear'], '.1f'))}x, "
                  f"n log n {f(format(r['growth_nlogn'], '.1f'))}x)") if r.get("growth") else ""
        secs = f(_n(r["seconds"], ".2f")) if r["seconds"] is not None else (r["note"] or "")
        cells = [
            f(f"{r['scale']:g}"), f(f"{r['rows']:,}"), METHOD_LABEL[r["method"]], secs,
            f(_n(r["peak_mib"], ",.0f")),
            f(_n(r.get("over_floor"), ".1f")) + ("x" if r.get("over_floor") else ""),
            f(_target_of(r)),
            f(_n(r.get("speedup_vs_pandas"), ".1f")) + ("x" if r.get("speedup_vs_pandas") else ""),
            growth,
        ]
        if dutch:  # the book shows no blank cells: a dash where a ratio does not apply
            cells = [c if c.strip() else "–" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def target_lines(tg: list[dict], *, dutch: bool) -> list[str]:
    f = _nl if dutch else (lambda s: s)
    mark = {True: "ja", False: "**nee**", None: "niet gemeten"}
    lines = ["| doel | gemeten | norm | gehaald |", "|:---|:---|:---|:---|"]
    for t in tg:
        lines.append(f"| {t['doel']} | {f(t['gemeten'])} | {f(t['norm'])} | {mark[t['gehaald']]} |")
    return lines


def machine() -> dict:
    import duckdb
    import pandas
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "onbekend"
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "datum": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "commit": commit + (" (src/ gewijzigd)" if dirty else ""),
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "duckdb": duckdb.__version__, "pandas": pandas.__version__, "system": platform.system(),
    }


def write_md(rows: list[dict], tg: list[dict], meta: dict, book: dict | None, path: Path, repeats: int) -> None:
    m = meta
    runs = [r for r in rows if r["method"] in RUN_METHODS]
    lines = [
        "% Gegenereerd door benchmarks/bench.py; niet met de hand bewerken.",
        "",
        f"Meting van {m['datum']} op commit `{m['commit']}`: {m['system']}, {m['cpus']} processorkernen "
        f"(gedeelde machine), Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}. "
        f"Iteratie {m['iteration']}; mediaan van {repeats} metingen per schaal"
        + (f" en {m.get('run_repeats', 1)} voor `gestapeld run` ({m.get('run_workers', '1 worker')})" if runs else "")
        + ", elk in een vers proces; de metingen zijn in dezelfde run om en om gedaan. Synthetische "
        "extracten (schaal 1 is ongeveer het Nederlandse volume).",
        "",
        "De doelen:",
        "",
        *target_lines(tg, dutch=True),
        "",
        "Alle metingen:",
        "",
        *table_lines(rows, dutch=True),
        "",
        "Koud betekent: met een lege cache, dus het extract wordt gecontroleerd en daarna één keer "
        "gelezen voor het koppelen; warm: de controle staat al in de cache. De commando's zijn hele "
        "processen (opstarten en importeren inbegrepen) en worden vergeleken met het hele proces van de "
        "vloer; de engine alleen en de pandas-baseline met het getimede deel van de vloer. `gestapeld run` "
        "draait op het extract van schaal 1 en wordt vergeleken met dezelfde notebooks zonder code. "
        "Piekgeheugen is het maximale residente geheugen van het grootste proces. Op elke schaal waarop "
        "de pandas-baseline draaide, gaf ze precies dezelfde tabellen als de engine (gecontroleerd in "
        "deze run). Groei is de tijd op een schaal gedeeld door de tijd op de kleinste schaal.",
    ]
    if book:
        cold = ("zonder de uitgevoerde notebooks, dus alles opnieuw uitgevoerd" if book.get("cold_mode") == "empty"
                else "zoals gecommit")
        lines += ["", f"`make book` (gemeten {book['datum']} op commit `{book['commit']}`, in een verse kloon, "
                  f"koud = {cold}): "
                  + _nl(f"koud {book['cold_s']:.1f} s, warm zonder wijziging {book['warm_s']:.1f} s, "
                        f"na wijziging van de peildatum van {book['edited']} {book['changed_s']:.1f} s")
                  + "; opnieuw uitgevoerd na die wijziging: "
                  + (", ".join(f"`{n}`" for n in book["changed_notebooks"]) or "geen") + "."]
    lines = [_dash_blank_cells(line) for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _dash_blank_cells(line: str) -> str:
    """A table cell without a value (no target, no growth) shows a dash, never a blank."""
    if not line.startswith("|"):
        return line
    while "|  |" in line:
        line = line.replace("|  |", "| – |")
    return line


def print_summary(rows: list[dict], tg: list[dict]) -> None:
    print()
    print("\n".join(table_lines(rows, dutch=False)))
    print()
    print("\n".join(target_lines(tg, dutch=False)))


# =========================================================================== make book


def _snapshot(folder: Path) -> dict[str, int]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def changed_files(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Files that are new or whose mtime moved."""
    return sorted(k for k, v in after.items() if before.get(k) != v)


def edit_peildatum(yaml_text: str, iteration_id: str, *, days: int = -1) -> tuple[str, str]:
    """The YAML with one iteration's peildatum moved by `days`; also says what changed."""
    block = re.search(rf"(?m)^  {re.escape(iteration_id)}:\n((?:    .*\n|\s*\n)+)", yaml_text)
    if not block:
        raise SystemExit(f"iteration {iteration_id} not found in iterations.yaml")
    inner = re.search(r"(?m)^    peildatum: (\d{4}-\d{2}-\d{2})\s*$", block.group(1))
    if not inner:
        raise SystemExit(f"no peildatum line for {iteration_id} in iterations.yaml")
    old = dt.date.fromisoformat(inner.group(1))
    new = old + dt.timedelta(days=days)
    start = block.start(1) + inner.start(1)
    text = yaml_text[:start] + new.isoformat() + yaml_text[start + 10:]
    return text, f"{iteration_id} ({old} -> {new})"


def names_iteration(name: str, iteration_id: str) -> bool:
    """Does a notebook's path name this iteration (v2 in iteraties/v2.ipynb, verschillen/v1_v2.ipynb)?"""
    return re.search(rf"(?<![a-z0-9]){re.escape(iteration_id.lower())}(?![0-9])", name.lower()) is not None


def declared_dependents(clone: Path, env: dict[str, str], iteration_id: str) -> list[str] | None:
    """The notebooks the clone's runner says depend on this iteration (None: runner not readable)."""
    code = ("import json; from gestapeld.publication import runner\n"
            "print(json.dumps([[j.name, sorted(j.depends)] for j in runner.jobs()]))")
    proc = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-c", code], cwd=clone, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    jobs = json.loads(proc.stdout.strip().splitlines()[-1])
    return sorted(f"{name}.ipynb" for name, deps in jobs if iteration_id in deps)


def _executed_notebooks(book: Path) -> list[Path]:
    """Notebooks in book/ written by `gestapeld run` (they carry its fingerprint)."""
    out = []
    for nb in book.rglob("*.ipynb"):
        try:
            meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            continue
        if "fingerprint" in meta.get("gestapeld", {}):
            out.append(nb)
    return out


def prepare_clone_env(clone: Path) -> dict[str, str]:
    """A venv in the clone that runs the clone's code with this venv's installed libraries.

    The project venv has gestapeld installed in editable mode from *this* checkout, so it
    cannot be used as is; copying it would not work either (absolute paths). The clone's
    venv puts the clone's src/ first on sys.path, then this venv's site-packages; the console
    scripts (gestapeld, jupyter-book, papermill, ...) are copied with the shebang pointed at
    the clone's python. The install stamp is touched so that `make` does not pip install.
    """
    venv = clone / ".venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    main_site = next((Path(sys.prefix) / "lib").glob("python*/site-packages"))
    (site / "00_gestapeld_clone.pth").write_text(str(clone / "src") + "\n")
    (site / "01_project_venv.pth").write_text(f"import site; site.addsitedir({str(main_site)!r})\n")
    main_bin, bin_ = Path(sys.prefix) / "bin", venv / "bin"
    shebangs = (f"#!{main_bin}/python", f"#!{Path(sys.prefix).resolve()}/bin/python")
    for script in main_bin.iterdir():
        target = bin_ / script.name
        if target.exists() or not script.is_file():
            continue
        try:
            text = script.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        first, _, rest = text.partition("\n")
        if first.startswith(shebangs):
            target.write_text(f"#!{bin_}/python\n{rest}", encoding="utf-8")
            target.chmod(0o755)
    (venv / ".installed").touch()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "GESTAPELD_ROOT", "GESTAPELD_ITERATIONS", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    where = subprocess.run([str(bin_ / "python"), "-c", "import gestapeld; print(gestapeld.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(where).is_relative_to(clone / "src"):
        raise SystemExit(f"clone venv imports gestapeld from {where}, not from the clone")
    return env


def bench_book(edit_iteration: str, *, cold: str = "empty", keep: bool = False) -> dict:
    """Time `make book` in a fresh clone: cold, warm without change, warm after one edit.

    cold="empty" removes the executed notebooks committed in book/ first, so that the cold
    run executes every notebook; cold="clone" measures the clone as committed (the runner
    then re-executes nothing whose fingerprint matches). Both start without data/ and _build/.
    """
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True,
                           text=True).stdout.strip()
    if dirty:
        print("  note: the clone holds the last commit; uncommitted changes are not measured", flush=True)
    work = Path(tempfile.mkdtemp(prefix="gestapeld-bench-book-"))
    clone = work / "repo"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = prepare_clone_env(clone)
        book = clone / "book"
        removed = _executed_notebooks(book) if cold == "empty" else []
        for nb in removed:
            nb.unlink()
        times, changes = {}, {}
        for step in ("cold", "warm", "changed"):
            if step == "changed":
                yml = clone / "src" / "gestapeld" / "iterations.yaml"
                text, edited = edit_peildatum(yml.read_text(encoding="utf-8"), edit_iteration)
                yml.write_text(text, encoding="utf-8")
            before = _snapshot(book)
            print(f"  make book ({step}) ...", flush=True)
            t0 = time.perf_counter()
            with open(work / f"make_book_{step}.log", "w") as log:
                proc = subprocess.run(["make", "book"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT)
            times[step] = time.perf_counter() - t0
            if proc.returncode != 0:
                keep = True
                tail = (work / f"make_book_{step}.log").read_text()[-3000:]
                raise SystemExit(f"make book ({step}) failed with {proc.returncode}:\n{tail}\n(logs in {work})")
            changes[step] = changed_files(before, _snapshot(book))
            nbs = [c for c in changes[step] if c.endswith(".ipynb")]
            print(f"  make book ({step}): {times[step]:.1f} s; {len(changes[step])} files in book/ changed; "
                  f"{len(nbs)} notebooks: {', '.join(nbs) or 'none'}", flush=True)
        nb = {s: [c for c in changes[s] if c.endswith(".ipynb")] for s in changes}
        # Allowed to re-execute after the edit: notebooks that name the edited iteration, and
        # those the runner declares dependent on it (the overview, say). Anything else is a
        # needless re-execution; a warm run without change must execute nothing.
        declared = declared_dependents(clone, env, edit_iteration) or []
        allowed = sorted(set(declared) | {n for n in _snapshot(book) if n.endswith(".ipynb")
                                          and names_iteration(n, edit_iteration)})
        extra = [n for n in nb["changed"] if n not in allowed]
        only = bool(nb["changed"]) and not nb["warm"] and not extra
        commit = subprocess.run(["git", "-C", str(clone), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        return {
            "datum": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": commit, "cold_mode": cold,
            "removed_before_cold": len(removed),
            "cold_s": times["cold"], "warm_s": times["warm"], "changed_s": times["changed"],
            "edited": edited, "cold_notebooks": nb["cold"], "warm_notebooks": nb["warm"],
            "changed_notebooks": nb["changed"], "allowed_after_edit": allowed, "needless": extra,
            "changed_files": changes["changed"], "only_changed": only,
        }
    finally:
        if keep:
            print(f"  clone and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# =========================================================================== main


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
