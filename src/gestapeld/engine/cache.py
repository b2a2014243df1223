"""The private cache of validated, typed extracts (issue 13: load once per extract).

An extract is validated once; its typed copy (Parquet) is kept under a key made of the
extract's sha256 and the version of the validator, and every notebook and command of a
build reads that copy. The cache holds microdata: it lives outside the tracked files
(`<project root>/.cache/gestapeld/`, git-ignored, or $GESTAPELD_CACHE), is never published,
and keeps only the most recently used entries.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from .. import config

KEEP = 6  # entries kept (each is one extract's typed copy); older ones are removed
RESULTS = "uitkomsten"  # exact (internal) counts per iteration, shared by the notebooks of a build


def folder() -> Path:
    """The cache folder: $GESTAPELD_CACHE, else .cache/gestapeld/ in the project root."""
    env = os.environ.get("GESTAPELD_CACHE")
    return Path(env) if env else config.project_root() / ".cache" / "gestapeld"


def validator_version() -> str:
    """Changes whenever the rules or the typed layout can change: the validator's source
    (reading, rules, typed copy) and the cache's."""
    h = hashlib.sha256()
    for name in ("reading.py", "validation.py", "extract.py", "cache.py"):
        h.update((config.PACKAGE_DIR / "engine" / name).read_bytes())
    return h.hexdigest()[:12]


def entry(data_sha256: str) -> tuple[Path, Path]:
    """(typed Parquet, summary JSON) of one extract in the cache."""
    stem = f"extract-{data_sha256[:32]}-{validator_version()}"
    base = folder()
    return base / f"{stem}.parquet", base / f"{stem}.json"


def touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def prune(keep: int = KEEP) -> None:
    """Remove all but the `keep` most recently used entries."""
    base = folder()
    if not base.is_dir():
        return
    stems = sorted(base.glob("extract-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stems[keep:]:
        # an entry used within the hour may be read by a build running beside this one
        if time.time() - old.stat().st_mtime < 3600:
            continue
        for p in (old, old.with_suffix(".parquet")):
            p.unlink(missing_ok=True)
    kept = {p.stem for p in base.glob("extract-*.json")}
    for stored in (base / RESULTS).glob("extract-*.pkl"):  # results of an extract no longer kept
        if stored.name.split("--", 1)[0] not in kept:
            stored.unlink(missing_ok=True)
    for where in (base, base / RESULTS):
        for tmp in where.glob(".tmp-*"):  # left behind by an interrupted write, older than an hour
            try:
                if time.time() - tmp.stat().st_mtime > 3600:
                    tmp.unlink()
            except OSError:
                pass


def write_atomic(target: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see half.

    `write(tmp)` writes the content to the path `tmp`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def result_entry(typed_path: Path, key: str) -> Path:
    """Where the exact counts of one computation on one typed copy are kept (`key` names the
    parameters and the code). Internal, like the copy: never published."""
    return folder() / RESULTS / f"{typed_path.stem}--{key}.pkl"


def load_result(path: Path):
    """A kept result, or None (absent, or written by another version and unreadable)."""
    import pickle

    try:
        with open(path, "rb") as fh:
            out = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None
    touch(path)
    return out


def store_result(path: Path, value) -> None:
    """Keep a result (written whole, then renamed: a notebook beside this one never reads half)."""
    import pickle

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, lambda tmp: Path(tmp).write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
