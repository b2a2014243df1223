"""papermill execution of the notebook templates into book/, cached by fingerprint.

A job is one template with one parameter set. Its fingerprint covers the template, the
parameters (including the iteration's whole entry in the YAML), the sha256 of the extract,
the package sources and the library versions; it is stored in the executed notebook's
metadata, so a fresh clone with committed notebooks re-executes nothing either.

Executed notebooks are written to a temporary file and renamed into place only when the
whole notebook ran: a failing notebook stops the run and leaves the previous ones intact.
Volatile metadata (times, durations, paths) are removed so a re-run gives the same bytes.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

import nbformat

from . import config, provenance
from .config import Iteration

TEMPLATES = "notebooks"
BOOK = "book"


@dataclasses.dataclass(frozen=True)
class Job:
    name: str                  # e.g. "iteraties/v3"
    template: str              # file name under notebooks/
    parameters: dict           # papermill parameters
    placeholders: dict         # {{key}} in markdown cells and cell metadata
    depends: dict              # what else the output depends on (iteration specs)
    iterations: tuple[str, ...] = ()

    @property
    def output(self) -> Path:
        return config.project_root() / BOOK / f"{self.name}.ipynb"


def _spec(it: Iteration) -> dict:
    d = dataclasses.asdict(it)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else list(v) if isinstance(v, tuple) else v) for k, v in d.items()}


def jobs() -> list[Job]:
    its = config.iterations()
    out = [
        Job("kalibratie", "kalibratie.ipynb", {}, {}, {"v3": _spec(its["v3"])} if "v3" in its else {}),
        Job("voorbeelden", "voorbeelden.ipynb", {}, {}, {}),
    ]
    for it in its.values():
        ph = {"id": it.id, "titel": it.titel, "verzoek": it.verzoek, "rationale": it.rationale,
              "tijdlijn": it.tijdlijn, "peildatum": it.peildatum.isoformat(), "methode": it.methode}
        # the IND's figures shown beside the iteration (YAML `referentiecijfers`) are an input too
        ref = json.loads(json.dumps(config.section("referentiecijfers").get(it.id) or [], default=str))
        out.append(Job(f"iteraties/{it.id}", "iteratie.ipynb", {"iteratie": it.id}, ph,
                       {it.id: _spec(it), "referentiecijfers": ref}, (it.id,)))
    for a, b in config.consecutive_pairs() + config.extra_reconciliations():
        ph = {"van": a, "naar": b, "van_titel": its[a].titel, "naar_titel": its[b].titel}
        out.append(Job(f"verschillen/{a}_{b}", "verschil.ipynb", {"van": a, "naar": b}, ph,
                       {a: _spec(its[a]), b: _spec(its[b])}, (a, b)))
    out.append(Job("overzicht", "overzicht.ipynb", {}, {}, {k: _spec(v) for k, v in its.items()}, tuple(its)))
    return out


def fingerprint(job: Job, data_sha: str, code_sha: str) -> str:
    tpl = config.project_root() / TEMPLATES / job.template
    return provenance.job_fingerprint(template=tpl, parameters={"p": job.parameters, "deps": job.depends},
                                      data_sha256=data_sha, code_sha256=code_sha)


def _stored_fingerprint(path: Path) -> str | None:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        return nb.get("metadata", {}).get("gestapeld", {}).get("fingerprint")
    except (OSError, ValueError):
        return None


def _fill(text: str, placeholders: dict) -> str:
    for key, value in placeholders.items():
        text = text.replace("{{" + key + "}}", str(value))
    return text


def _prepare(template: Path, placeholders: dict) -> nbformat.NotebookNode:
    nb = nbformat.read(template, as_version=4)
    # a cell with metadata {"gestapeld": {"alleen_als": {"methode": "longitudinal"}}} is kept only
    # when the placeholders match (v0's cross-sectional method cannot know depth or history)
    nb.cells = [c for c in nb.cells
                if all(placeholders.get(k) == v for k, v in c.metadata.get("gestapeld", {}).get("alleen_als", {}).items())]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _fill(cell.source, placeholders)
        if cell.metadata:
            cell.metadata = json.loads(_fill(json.dumps(cell.metadata), placeholders))
    return nb


def _clean(nb: nbformat.NotebookNode, job: Job, fp: str) -> nbformat.NotebookNode:
    """Drop volatile metadata; record what the notebook depends on."""
    pm = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {"parameters": pm.get("parameters", {})}
    nb.metadata["gestapeld"] = {"fingerprint": fp, "template": f"{TEMPLATES}/{job.template}",
                                "parameters": job.parameters}
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


def execute(job: Job, fp: str, env_data: Path | None) -> None:
    import papermill as pm

    root = config.project_root()
    template = root / TEMPLATES / job.template
    out = job.output
    out.parent.mkdir(parents=True, exist_ok=True)
    prepared = out.with_name(f".{out.stem}.input.ipynb")
    tmp = out.with_name(f".{out.stem}.tmp.ipynb")
    nbformat.write(_prepare(template, job.placeholders), prepared)
    old = os.environ.get("GESTAPELD_DATA")
    if env_data is not None:
        os.environ["GESTAPELD_DATA"] = str(env_data)
    try:
        pm.execute_notebook(str(prepared), str(tmp), parameters=job.parameters, cwd=str(out.parent),
                            progress_bar=False, kernel_name="python3", log_output=False)
        nb = nbformat.read(tmp, as_version=4)
        nbformat.write(_clean(nb, job, fp), tmp)
        os.replace(tmp, out)
    finally:
        if env_data is not None:
            if old is None:
                os.environ.pop("GESTAPELD_DATA", None)
            else:
                os.environ["GESTAPELD_DATA"] = old
        for p in (prepared, tmp):
            p.unlink(missing_ok=True)


class RunFailed(RuntimeError):
    pass


def run(*, iterations: list[str] | None = None, data: Path | None = None, force: bool = False) -> int:
    """Execute every job whose fingerprint changed; returns the exit status."""
    data_path = Path(data) if data else config.default_data_path()
    if not data_path.exists():
        raise config.ConfigError(f"extract not found ({data_path.name}); run `make data` or give --data")
    if data is not None:  # validate a real extract before anything runs (clear errors, no values)
        import datetime as dt

        from . import extract
        extract.load(data_path, not_after=dt.date.today())
    selected = jobs()
    if iterations:
        for i in iterations:
            config.iteration(i)  # unknown id -> ConfigError
        selected = [j for j in selected if set(j.iterations) & set(iterations)]
    data_sha = provenance.data_fingerprint(data_path)
    code_sha = provenance.code_fingerprint()
    todo = []
    for job in selected:
        fp = fingerprint(job, data_sha, code_sha)
        if force or _stored_fingerprint(job.output) != fp:
            todo.append((job, fp))
    if not todo:
        print(f"gestapeld run: all {len(selected)} notebooks up to date (same code, templates, "
              "parameters and data fingerprint); nothing re-executed", file=sys.stderr)
        return 0
    import papermill as pm  # slow to import: only when there is something to execute

    print(f"gestapeld run: {len(todo)} of {len(selected)} notebooks to execute", file=sys.stderr)
    for n, (job, fp) in enumerate(todo, 1):
        t0 = time.monotonic()
        print(f"  [{n}/{len(todo)}] {job.name} ...", end="", flush=True, file=sys.stderr)
        try:
            execute(job, fp, data_path if data else None)
        except pm.PapermillExecutionError as err:
            print(" FAILED", file=sys.stderr)
            detail = f": {err.evalue}" if (data is None or os.environ.get("GESTAPELD_DEBUG")) else ""
            print(f"gestapeld run: {job.name} failed in cell {err.cell_index} (execution count "
                  f"{err.exec_count}), {err.ename}{detail}. Earlier executed notebooks are unchanged; "
                  "the run stopped here.", file=sys.stderr)
            return 1
        print(f" done ({time.monotonic() - t0:.0f} s)", file=sys.stderr)
    return 0
