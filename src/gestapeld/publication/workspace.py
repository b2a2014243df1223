"""The private workspace of `gestapeld book --data`: a copy of the book's sources, outside
the repository's tracked files, where the notebooks of one extract are executed and the
site is built. One workspace per extract (keyed by its sha256), so a second build with the
same extract and code re-executes nothing; the repository's book/ and data/ are never
written. The workspace holds outputs of a confidential extract: it lives in the user's
cache folder (GESTAPELD_CACHE, default ~/.cache/gestapeld), never in the repository.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import os
import shutil
from pathlib import Path

#: What the book is built from, besides book/ (paths relative to the repository).
SOURCES = ("_config.yml", "requirements.txt", "benchmarks/results/bench.md", "notebooks", "src/gestapeld/engine/sql")
OUTPUTS_LIST = ".run-outputs"  # files under book/ written by notebooks (runner), kept on sync


def cache_root() -> Path:
    env = os.environ.get("GESTAPELD_CACHE")
    return Path(env).expanduser().resolve() if env else Path.home() / ".cache" / "gestapeld"


def path_for(data_sha256: str) -> Path:
    return cache_root() / f"werk-{data_sha256[:16]}"


def _copy_if_changed(src: Path, dst: Path) -> None:
    if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def sync(repo: Path, work: Path) -> None:
    """Copy the book's sources into the workspace; executed notebooks and the files they
    wrote stay (they belong to this extract)."""
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o700)  # outputs of a confidential extract: the owner only
    for rel in SOURCES:
        src = repo / rel
        if src.is_dir():
            for f in sorted(p for p in src.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
                _copy_if_changed(f, work / f.relative_to(repo))
        elif src.is_file():
            _copy_if_changed(src, work / rel)
    outputs_file = work / "book" / OUTPUTS_LIST
    outputs = set(outputs_file.read_text().split()) if outputs_file.is_file() else set()
    book = repo / "book"
    for f in sorted(p for p in book.rglob("*") if p.is_file()):
        rel = f.relative_to(book)
        if (
            f.suffix == ".ipynb"
            or rel.parts[0] in ("_edities",)
            or rel.parts[0].startswith(".")
            or rel.as_posix() in outputs
            or ".ipynb_checkpoints" in rel.parts
        ):
            continue
        _copy_if_changed(f, work / "book" / rel)


@contextlib.contextmanager
def rooted(work: Path):
    """Point the package (and the kernels it starts) at the workspace."""
    old = os.environ.get("GESTAPELD_ROOT")
    os.environ["GESTAPELD_ROOT"] = str(work)
    try:
        yield work
    finally:
        if old is None:
            os.environ.pop("GESTAPELD_ROOT", None)
        else:
            os.environ["GESTAPELD_ROOT"] = old


def _manifest_digest(site: Path) -> str | None:
    m = site / "manifest.sha256"
    return hashlib.sha256(m.read_bytes()).hexdigest() if m.is_file() else None


def deliver(site: Path, out: Path) -> bool:
    """Copy the built site to `out` (all files or none); False when `out` already holds it."""
    site = site.resolve()
    out = out.resolve() if out.exists() else out.absolute()
    if out.is_dir() and _manifest_digest(out) == _manifest_digest(site) and _manifest_digest(site):
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(site, tmp)
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)
    return True
