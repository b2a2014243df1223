"""What `benchmarks/bench.py` writes: bench.csv (the measurements), bench.md (included by
book/prestaties.md, in Dutch) and the summary printed at the end, with the targets.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from pathlib import Path

from bench_measure import (
    METHOD_LABEL,
    ROOT,
    RUN_METHODS,
    T_FLOOR,
    T_RUN_FLOOR,
    T_RUN_WARM_S,
    T_SPEEDUP,
    T_TABLES_FLOOR,
    T_TABLES_MEM_GIB,
    T_VALIDATE_FLOOR,
)

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
