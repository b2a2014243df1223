"""Fingerprints of data and code, and library versions: provenance in every notebook.

Nothing here is volatile: no timestamps, durations or absolute paths, so a re-run with
nothing changed gives the same provenance.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
from functools import lru_cache
from pathlib import Path

from . import config

#: Modules that build the site around the notebooks but never run inside one: changing
#: them must not re-execute the notebooks (their outputs cannot change).
BUILD_ONLY = {
    "cli.py",
    "runner.py",
    "notebook_jobs.py",
    "kernels.py",
    "publish.py",
    "checks.py",
    "sphinx_ext.py",
    "informatieblad.py",
    "sheet_content.py",
    "sheet_render.py",
    "__main__.py",
    "workspace.py",
    "verify.py",
    "herkomst.py",
    "sitecompare.py",
    "nbval_report.py",
}

LIBRARIES = ("pandas", "duckdb", "numpy", "pandera", "matplotlib", "papermill", "pyarrow")


def sha256_file(path: Path | str, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=16)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    return sha256_file(path)


def data_fingerprint(path: Path | str, *, sheet: str | None = None) -> str:
    """sha256 of the extract file (cached per size and modification time).

    For a workbook read from a named sheet (`sheet`, else GESTAPELD_SHEET, set by `--sheet`),
    the sha256 of the file's sha256 and the sheet's name: another sheet is other data. The
    first sheet (no --sheet) is the file's own sha256."""
    st = os.stat(path)
    sha = _sha256_cached(str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        sheet = sheet or os.environ.get("GESTAPELD_SHEET") or None
        if sheet:
            return hashlib.sha256(f"{sha}\0sheet\0{sheet}".encode()).hexdigest()
    return sha


def code_fingerprint(*extra: Path) -> str:
    """sha256 over the package sources (py, sql) and any extra files (templates).

    The iteration YAML is configuration, not code: a notebook depends on its own
    iteration's parameters (part of the job fingerprint), so changing one iteration
    re-executes only what depends on it.
    """
    h = hashlib.sha256()
    files = sorted(
        p
        for p in config.PACKAGE_DIR.rglob("*")
        if p.suffix in (".py", ".sql") and "__pycache__" not in p.parts and p.name not in BUILD_ONLY
    )
    for p in [*files, *extra]:
        name = p.relative_to(config.PACKAGE_DIR).as_posix() if p.is_relative_to(config.PACKAGE_DIR) else p.name
        h.update(name.encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            out[lib] = "-"
    out["gestapeld"] = importlib.metadata.version("gestapeld")
    return tuple(out.items())


def versions() -> dict[str, str]:
    return dict(_versions())


def job_fingerprint(*, template: Path, parameters: dict, data_sha256: str, code_sha256: str) -> str:
    """What an executed notebook depends on; equal fingerprints mean nothing to re-execute."""
    blob = json.dumps(
        {
            "template": sha256_file(template),
            "parameters": parameters,
            "data": data_sha256,
            "code": code_sha256,
            "versions": versions(),
        },
        sort_keys=True,
    ).encode()
    return hashlib.sha256(blob).hexdigest()
