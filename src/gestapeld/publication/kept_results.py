"""Exact results, computed once per build and kept in the private cache.

The notebooks of one build run in separate kernels and ask for the same parameter sets (a
reconciliation needs its two ends): a result is kept beside the typed copy of the extract,
under its parameters and the code fingerprint. Exact counts are internal: they are shown
only through the protected cells (protected.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .. import provenance
from ..config import Iteration
from ..engine import counts
from ..engine.counts import Result
from .source import data_path, extract_path, resolve


def _engine_fingerprint() -> str:
    # mutation testing switches mutants at run time in the same files: a kept result
    # belongs to one of them only
    return _code_fingerprint() + os.environ.get("MUTANT_UNDER_TEST", "").replace("/", "_")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    return provenance.code_fingerprint()[:16]


@lru_cache(maxsize=16)
def template_fingerprint(template: Path) -> str:
    """The code fingerprint with one notebook template (read once per kernel: a page cites
    it under every number it glues)."""
    return provenance.code_fingerprint(template)


def _kept_entry(kind: str, what: tuple) -> Path:
    from ..engine import cache

    key = kind + "-" + hashlib.sha256(repr(what).encode()).hexdigest()[:16] + "-" + _engine_fingerprint()
    return cache.result_entry(extract_path(), key)


def _load_kept(stored: Path, what: tuple):
    """(True, value) when `what` is kept at `stored`, else (False, None)."""
    from ..engine import cache

    got = cache.load_result(stored)
    return (True, got[1]) if got is not None and got[0] == what else (False, None)


def kept(kind: str, what: tuple, compute):
    """The notebooks of one build run in separate kernels and ask for the same parameter
    sets (a reconciliation needs its two ends): a result is computed once per extract,
    parameters and code, and kept in the private cache beside the typed copy."""
    from ..engine import cache

    stored = _kept_entry(kind, what)
    found, value = _load_kept(stored, what)
    if not found:
        value = compute()
        cache.store_result(stored, (what, value))
    return value


def parameter_key(it: Iteration) -> tuple:
    """What a count depends on (method, forms, period, peildatum), not the name of the set:
    the last combination of a reconciliation is the second iteration under another name."""
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(it.params().items()))


def _named(res: Result, it: Iteration) -> Result:
    return res if res.iteration == it else dataclasses.replace(res, iteration=it)


@lru_cache(maxsize=64)
def _result(it: Iteration, fingerprint: str) -> Result:
    return _named(kept("telling", (parameter_key(it),), lambda: counts.compute(extract_path(), it)), it)


def prefetch(iterations: Iterable[str | Iteration]) -> None:
    """Compute the exact results of several parameter sets together and keep them: one read
    of the extract, and one linkage for the sets that share method and peildatum
    (`counts.compute_many`). A reconciliation asks for eight sets that differ in only three
    parameters; `result` then reads each from the private cache."""
    from ..engine import cache

    missing: dict[tuple, tuple[Iteration, Path]] = {}
    for it in map(resolve, iterations):
        what = (parameter_key(it),)
        entry = _kept_entry("telling", what)
        if what not in missing and not _load_kept(entry, what)[0]:
            missing[what] = (it, entry)
    if missing:
        sets = [it for it, _ in missing.values()]
        for (what, (_, entry)), res in zip(missing.items(), counts.compute_many(extract_path(), sets), strict=True):
            cache.store_result(entry, (what, res))


def result(iteration: str | Iteration) -> Result:
    """Exact counts (internal): only ever shown through `published_*` functions."""
    return _result(resolve(iteration), provenance.data_fingerprint(data_path()))


def clear_cache() -> None:
    """Forget what this process keeps in memory (a fresh kernel); the private cache stays."""
    _result.cache_clear()
