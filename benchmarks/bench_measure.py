"""What `benchmarks/bench.py` measures: the synthetic extracts per scale, the worker processes
(engine, pandas baseline, DuckDB floor), the whole commands and `gestapeld run`, each timed
in a fresh process and side by side per round; then the ratios and the targets.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
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
    cmd = [sys.executable, str(HERE / "bench.py"), "--worker", method, "--path", str(path),
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
