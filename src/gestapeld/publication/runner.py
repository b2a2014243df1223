"""papermill execution of the notebook templates into book/, cached by fingerprint.

A job is one template with one parameter set. Its fingerprint covers the template, the
parameters (including the iteration's whole entry in the YAML), the sha256 of the extract,
the package sources and the library versions; it is stored in the executed notebook's
metadata, so a fresh clone with committed notebooks re-executes nothing either. The
metadata also record the data source (`gestapeld.data`: synthetic default or an extract,
its sha256), so `publish` can refuse a site whose notebooks came from different extracts.

All notebooks that must be re-executed run in a staging folder (two at a time by
default: no notebook reads another's output). Only when every one of them succeeded are
they, and the files they wrote (downloads, figures), moved into book/: a failing run
leaves the previous set of executed notebooks exactly as it was. Volatile metadata
(times, durations, paths) are removed so a re-run gives the same bytes. Kernel chatter
(ipykernel's warnings, interrupt tracebacks) goes to a log, not to the terminal
(kernels.py). What the jobs are, their fingerprints and the data source they record:
notebook_jobs.py.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from .. import config, provenance
from . import kernels
from .notebook_jobs import (
    BOOK,
    TEMPLATES,
    Job,
    data_source_record,
    fingerprint,
    jobs,
    metadata,
    source_placeholders,
    stored_fingerprint,
)

OUTPUTS_LIST = ".run-outputs"  # workspace only: files the notebooks wrote besides themselves
#: Relative execution time per template (measured, book/prestaties.md): the runner starts
#: the longest first, so the two workers finish at about the same time instead of one
#: waiting while the other runs the last notebook alone.
COST = {"verschil.ipynb": 3, "overzicht.ipynb": 2, "voorbeelden.ipynb": 2, "kalibratie.ipynb": 2}


def _fill(text: str, placeholders: dict) -> str:
    for key, value in placeholders.items():
        text = text.replace("{{" + key + "}}", str(value))
    return text


def _prepare(template: Path, placeholders: dict) -> nbformat.NotebookNode:
    nb = nbformat.read(template, as_version=4)
    # a cell with metadata {"gestapeld": {"alleen_als": {"methode": "longitudinal"}}} is kept only
    # when the placeholders match (v0's cross-sectional method cannot know depth or history)
    nb.cells = [
        c
        for c in nb.cells
        if all(placeholders.get(k) == v for k, v in c.metadata.get("gestapeld", {}).get("alleen_als", {}).items())
    ]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _fill(cell.source, placeholders)
        if cell.metadata:
            cell.metadata = json.loads(_fill(json.dumps(cell.metadata), placeholders))
    return nb


def _clean(nb: nbformat.NotebookNode, job: Job, fp: str, source: dict) -> nbformat.NotebookNode:
    """Drop volatile metadata; record what the notebook depends on."""
    pm = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {"parameters": pm.get("parameters", {})}
    nb.metadata["gestapeld"] = {
        "fingerprint": fp,
        "template": f"{TEMPLATES}/{job.template}",
        "parameters": job.parameters,
        "data": source,
    }
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        # the parameters live in the provenance table; the cells stay in the download
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    return nb


#: A kernel that exits before it answers its first request ran no cell, so the notebook is
#: started once more in a new kernel. jupyter_client picks a kernel's TCP ports by binding and
#: releasing them; another process can take one before the kernel binds it, and the kernel
#: then exits at start (seen once in a CI run with ~100 kernels, two builds side by side).
KERNEL_STARTS = 2
KERNEL_DIED_AT_START = "Kernel died before replying to kernel_info"  # jupyter_client's words


def execute(
    job: Job,
    fp: str,
    env_data: Path | None,
    *,
    dest: Path | None = None,
    source: dict | None = None,
    log: Path | None = None,
) -> Path:
    """Execute one job into `dest` (default: its place in book/); returns the notebook path.

    Files the notebook writes (downloads, figures) land next to it in `dest`'s tree.
    `env_data` must already be in the environment (GESTAPELD_DATA) when jobs run in threads.
    """
    import papermill as pm

    root = config.project_root()
    template = root / TEMPLATES / job.template
    out = job.output if dest is None else dest / f"{job.name}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    prepared = out.with_name(f".{out.stem}.input.ipynb")
    tmp = out.with_name(f".{out.stem}.tmp.ipynb")
    if source is None:
        source = data_source_record(env_data)
    synthetic = source.get("bron") == "synthetisch"
    nbformat.write(_prepare(template, {**job.placeholders, **source_placeholders(synthetic)}), prepared)
    kwargs = {"kernel_manager_class": kernels.quiet_kernel_manager(log)}
    try:
        for start in range(1, KERNEL_STARTS + 1):
            try:
                # The kernel starts in the notebook's folder (nbclient's resources path).
                # papermill's own `cwd=` would chdir the whole process, which races when two
                # jobs run in threads (a download written by one notebook could land in the
                # other's folder).
                pm.execute_notebook(
                    str(prepared),
                    str(tmp),
                    parameters=job.parameters,
                    resources={"metadata": {"path": str(out.parent)}},
                    progress_bar=False,
                    kernel_name="python3",
                    log_output=False,
                    # no copy of the whole notebook after every cell: the notebook is staged and
                    # installed only when the whole run succeeded (0.3 s of CPU per notebook)
                    request_save_on_cell_execute=False,
                    **kwargs,
                )
                break
            except RuntimeError as err:
                if start == KERNEL_STARTS or KERNEL_DIED_AT_START not in str(err):
                    raise
                print(f"  {job.name}: the kernel stopped before it answered; starting another", file=sys.stderr)
        nb = nbformat.read(tmp, as_version=4)
        nbformat.write(_clean(nb, job, fp, source), tmp)
        os.replace(tmp, out)
    finally:
        for p in (prepared, tmp):
            p.unlink(missing_ok=True)
    return out


class RunFailed(RuntimeError):
    pass


def schedule(todo: list[tuple[Job, str]], workers: int) -> list[tuple[Job, str]]:
    """The order to start the jobs in: the longest first (`COST`), so the workers finish
    together; among those, next a job that shares no iteration with the ones just started,
    so two kernels do not compute the same counts at the same time (the second would find
    them kept a little later). Otherwise the book's order."""

    def cost(t: tuple[Job, str]) -> int:
        return COST.get(t[0].template, 1)

    left = sorted(todo, key=lambda t: -cost(t))
    out: list[tuple[Job, str]] = []
    while left:
        recent = {i for job, _ in out[len(out) - workers + 1 :] if workers > 1 for i in job.iterations}
        longest = [t for t in left if cost(t) == cost(left[0])]  # never a shorter job first
        pick = next((t for t in longest if not set(t[0].iterations) & recent), left[0])
        left.remove(pick)
        out.append(pick)
    return out


def default_jobs() -> int:
    """Two workers (the notebooks are independent), fewer on a one-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


def _install(staging: Path, book: Path, *, record: bool) -> None:
    """Move everything the run produced from `staging` into `book` (after all succeeded),
    and list the files the notebooks wrote besides themselves (see workspace.sync)."""
    written = []
    for src in sorted(p for p in staging.rglob("*") if p.is_file()):
        rel = src.relative_to(staging)
        if any(part.startswith(".") for part in rel.parts):
            continue
        dst = book / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        if src.suffix != ".ipynb":
            written.append(rel.as_posix())
    listing = book / OUTPUTS_LIST
    if record:
        known = set(listing.read_text().split()) if listing.is_file() else set()
        listing.write_text("".join(f"{r}\n" for r in sorted(known | set(written))), encoding="utf-8")


def run(
    *,
    iterations: list[str] | None = None,
    data: Path | None = None,
    force: bool = False,
    jobs_n: int | None = None,
    validate: bool = True,
    record_outputs: bool = False,
    place: str | None = None,
) -> int:
    """Execute every job whose fingerprint changed; returns the exit status.

    `place` names where the executed notebooks go, for the log (default: book/; `gestapeld
    book --data` says "the private workspace"). On Ctrl-C the kernels are killed at once
    and nothing is installed: the executed notebooks stay as they were."""
    place = place or f"{BOOK}/"
    data_path = Path(data).resolve() if data else config.default_data_path()
    if not data_path.exists():
        if data is None:
            raise config.ConfigError(
                "no --data given and no synthetic default extract "
                "(data/synthetisch.parquet); run `make data` or give --data PATH"
            )
        raise config.ConfigError(f"extract not found ({data_path.name}); check the path given with --data")
    if data is not None and validate:  # validate a real extract before anything runs (clear errors, no values)
        import datetime as dt

        from ..engine import extract

        typed = extract.prepare(data_path, not_after=dt.date.today())  # the typed copy the notebooks reuse
        for notice in extract.notices(typed):  # ignored columns: never dropped in silence
            print(f"gestapeld run: warning: {notice}", file=sys.stderr)
    selected = jobs()
    if iterations:
        for i in iterations:
            config.iteration(i)  # unknown id -> ConfigError
        selected = [j for j in selected if set(j.iterations) & set(iterations)]
    data_sha = provenance.data_fingerprint(data_path)
    code_sha = provenance.code_fingerprint()
    source = {"bron": "synthetisch" if data is None else "extract", "sha256": data_sha}
    todo = []
    for job in selected:
        fp = fingerprint(job, data_sha, code_sha)
        if force or stored_fingerprint(job.output) != fp or metadata(job.output).get("data") != source:
            todo.append((job, fp))
    if not todo:
        print(
            f"gestapeld run: all {len(selected)} notebooks up to date (same code, templates, "
            "parameters and data fingerprint); nothing re-executed",
            file=sys.stderr,
        )
        return 0
    import papermill as pm  # slow to import: only when there is something to execute

    workers = max(1, min(jobs_n or default_jobs(), len(todo)))
    todo = schedule(todo, workers)
    print(
        f"gestapeld run: {len(todo)} of {len(selected)} notebooks to execute ({workers} at a time) in {place}",
        file=sys.stderr,
    )
    book = config.project_root() / BOOK
    book.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".run-", dir=book))
    logs = staging / ".logs"
    logs.mkdir()
    old = os.environ.get("GESTAPELD_DATA")
    if data is not None:  # the kernels inherit it; set once for all threads
        os.environ["GESTAPELD_DATA"] = str(data_path)
    lock = threading.Lock()
    done = [0]
    stop = threading.Event()

    def work(job: Job, fp: str) -> float:
        if stop.is_set():
            raise concurrent.futures.CancelledError
        t0 = time.monotonic()
        execute(
            job,
            fp,
            data_path if data else None,
            dest=staging,
            source=source,
            log=logs / f"{job.name.replace('/', '_')}.log",
        )
        return time.monotonic() - t0

    failure = None
    kernels.reset()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
    try:
        try:
            futures = {pool.submit(work, job, fp): job for job, fp in todo}
            for fut in concurrent.futures.as_completed(futures):
                job = futures[fut]
                try:
                    secs = fut.result()
                except concurrent.futures.CancelledError:
                    continue
                except pm.PapermillExecutionError as err:
                    stop.set()
                    if failure is None:
                        failure = (job, err)
                    continue
                except Exception as err:  # noqa: BLE001 - kernel died, template unreadable, ...
                    stop.set()
                    if failure is None:
                        failure = (job, err)
                    continue
                with lock:
                    done[0] += 1
                    print(f"  [{done[0]}/{len(todo)}] {job.name} done ({secs:.0f} s)", file=sys.stderr, flush=True)
        except KeyboardInterrupt:  # Ctrl-C: stop now, not when the running notebooks end
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            n = kernels.terminate_kernels()
            print(
                f"gestapeld run: interrupted; {n} running kernel{'s' if n != 1 else ''} stopped, "
                f"no notebook in {place} changed",
                file=sys.stderr,
            )
            raise
        pool.shutdown(wait=True)
        if failure is not None:
            job, err = failure
            show = data is None or bool(os.environ.get("GESTAPELD_DEBUG"))  # never a value of a real extract
            if isinstance(err, pm.PapermillExecutionError):
                detail = f": {err.evalue}" if show else ""
                what = f"failed in cell {err.cell_index} (execution count {err.exec_count}), {err.ename}{detail}"
            else:
                what = f"could not be executed ({type(err).__name__}{': ' + str(err) if show else ''})"
            if show:
                log = logs / f"{job.name.replace('/', '_')}.log"
                text = log.read_text(errors="replace").strip() if log.is_file() else ""
                if text:
                    print("kernel output:\n" + "\n".join(text.splitlines()[-20:]), file=sys.stderr)
            print(
                f"gestapeld run: {job.name} {what}. No notebook in {place} was changed: earlier executed "
                "notebooks are unchanged. Fix the cause and run the same command again"
                + (
                    ""
                    if show
                    else " (details of a real extract are not shown; set GESTAPELD_DEBUG=1 "
                    "only on non-confidential data)"
                )
                + ".",
                file=sys.stderr,
            )
            return 1
        _install(staging, book, record=record_outputs)
    finally:
        if data is not None:
            if old is None:
                os.environ.pop("GESTAPELD_DATA", None)
            else:
                os.environ["GESTAPELD_DATA"] = old
        shutil.rmtree(staging, ignore_errors=True)
    print(f"gestapeld run: {len(todo)} notebooks executed into {place}", file=sys.stderr)
    return 0
