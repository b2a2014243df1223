"""`make book` timed in a clone of the repository (`benchmarks/bench.py --book`): cold, warm
(nothing changed) and after one edit of an iteration's peildatum, with the notebooks that
edit re-executes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_measure import ROOT


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
