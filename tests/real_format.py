"""Extracts written as an analyst receives them, and the one site built from such an extract
that several test modules share (the `real_site` fixture in conftest.py).

`dutch_csv` writes a synthetic extract as Excel's 'CSV (puntkomma)': BOM, semicolons, CRLF,
dd-mm-jjjj dates, zaak/persoon ids like 'CANARY-Z-000123' that look nothing like the
synthetic ones (canaries: if one shows up anywhere in a site, an identifier leaked).
`int_parquet` gives the integer identifiers a case system exports.

`build(tmp)` builds one site, every edition, with `gestapeld book --data EXTRACT --out SITE`
in a clone of the repository (GESTAPELD_ROOT) with a private cache (GESTAPELD_CACHE): what
test_real_extract (the site itself), test_verify (a reviewer's checks, on copies) and the
Ctrl-C test (an interrupted rebuild, on copies) each need. One build instead of three.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
INT_BASE = 7_300_000_000_000  # zaak/persoon ids in the Parquet: 73000000xxxxxx
DATE_COLUMNS = ("aanvraagdatum", "registratiedatum", "besluitdatum")
#: the shared site: a few thousand rows, as the brief's small extracts
SCALE, SEED, OTHER_SEED = 0.005, 3, 4


def synth_frame(tmp: Path, scale: float, seed: int | None = None) -> pd.DataFrame:
    """A synthetic extract (`gestapeld synth`) as a data frame of text and dates."""
    out = tmp / f"synth-{scale}-{seed}.parquet"
    args = ["synth", "--out", str(out), "--scale", str(scale), "--quiet"]
    if seed is not None:
        args += ["--seed", str(seed)]
    subprocess.run([sys.executable, "-m", "gestapeld", *args], check=True, cwd=ROOT, capture_output=True)
    return pd.read_parquet(out)


def _id_map(df: pd.DataFrame) -> dict[str, int]:
    people = pd.unique(pd.concat([df["persoon_id"], df["referent_id"].dropna()]))
    return {p: i for i, p in enumerate(sorted(people))}


def dutch_csv(df: pd.DataFrame, path: Path) -> set[str]:
    """Write as Excel's 'CSV (puntkomma)' with BOM, CRLF, dd-mm-jjjj; returns the identifiers."""
    ids = _id_map(df)
    out = df.copy()
    out["zaak_id"] = [f"CANARY-Z-{i:06d}" for i in range(len(out))]
    out["persoon_id"] = out["persoon_id"].map(lambda p: f"CANARY-P-{ids[p]:06d}")
    out["referent_id"] = out["referent_id"].map(lambda p: f"CANARY-P-{ids[p]:06d}" if isinstance(p, str) else "")
    for c in DATE_COLUMNS:
        if c in out.columns:
            out[c] = pd.to_datetime(out[c]).dt.strftime("%d-%m-%Y").fillna("")
    out = out.fillna("")
    path.write_bytes(b"\xef\xbb\xbf" + out.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8"))
    return set(out["zaak_id"]) | set(out["persoon_id"])


def int_parquet(df: pd.DataFrame, path: Path) -> set[str]:
    """Integer identifiers (as a case system exports them) in a Parquet file."""
    ids = _id_map(df)
    out = df.copy()
    out["zaak_id"] = pd.array([INT_BASE + 500_000 + i for i in range(len(out))], dtype="Int64")
    out["persoon_id"] = pd.array([INT_BASE + ids[p] for p in out["persoon_id"]], dtype="Int64")
    out["referent_id"] = pd.array(
        [INT_BASE + ids[p] if isinstance(p, str) else None for p in out["referent_id"]], dtype="Int64"
    )
    out.to_parquet(path, index=False)
    return {str(v) for v in out["zaak_id"]} | {str(v) for v in out["persoon_id"]}


def clone(dest: Path) -> Path:
    """A clone of the committed repository (its git status must stay as it is)."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True)
    return dest


def env(root: Path, cache: Path, **extra: str) -> dict[str, str]:
    """The environment of a `gestapeld` run in the clone `root` with the cache `cache`."""
    out = dict(
        os.environ,
        GESTAPELD_ROOT=str(root),
        GESTAPELD_CACHE=str(cache),
        SOURCE_DATE_EPOCH="1708041600",
        PYTHONHASHSEED="0",
        **extra,
    )
    out.pop("GESTAPELD_DATA", None)
    out.pop("GESTAPELD_DEBUG", None)
    return out


def gestapeld(root: Path, cache: Path, *args: object, timeout: float = 1800) -> subprocess.CompletedProcess:
    """`python -m gestapeld ARGS` in the clone `root` with the cache `cache`."""
    return subprocess.run(
        [sys.executable, "-m", "gestapeld", *map(str, args)],
        cwd=root,
        env=env(root, cache),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def git_status(root: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout


@dataclasses.dataclass(frozen=True)
class RealSite:
    """A site built by `gestapeld book --data` from a Dutch Excel CSV. Read it; copy what a
    test changes (the `site` and `cache` folders are shared by every test that uses it)."""

    tmp: Path  # the folder that holds all of it
    root: Path  # the clone it was built in
    cache: Path  # its private cache (the workspace of the extract is in it)
    extract: Path  # the Dutch Excel CSV
    identifiers: frozenset[str]  # every zaak and persoon id in the extract
    other: Path | None  # a second extract (another seed), the same format: never built
    site: Path  # the built site
    stderr: str  # what the build said
    digest: str  # the site digest the build printed
    status_before: str  # `git status --porcelain` of the clone before the build
    status_after: str  # and after it


def build(tmp: Path) -> RealSite:
    """The shared site: a clone, a small extract (and another one), one `book --data` build."""
    extract = tmp / "export zaaksysteem.csv"
    identifiers = dutch_csv(synth_frame(tmp, SCALE, SEED), extract)
    other = tmp / "ander export.csv"
    dutch_csv(synth_frame(tmp, SCALE, OTHER_SEED), other)
    return build_site(tmp, extract, identifiers, other=other)


def build_site(tmp: Path, extract: Path, identifiers: set[str], *, other: Path | None = None) -> RealSite:
    """`gestapeld book --data extract` into `tmp/site`, in a clone (`tmp/repo`) with a private
    cache (`tmp/cache`)."""
    root = clone(tmp / "repo")
    cache = tmp / "cache"
    site = tmp / "site"
    before = git_status(root)
    proc = gestapeld(root, cache, "book", "--data", extract, "--out", site)
    assert proc.returncode == 0, proc.stderr[-3000:]
    printed = re.findall(r"site digest ([0-9a-f]{64})", proc.stderr)
    assert len(printed) == 1, proc.stderr[-2000:]
    return RealSite(
        tmp=tmp,
        root=root,
        cache=cache,
        extract=extract,
        identifiers=frozenset(identifiers),
        other=other,
        site=site,
        stderr=proc.stderr,
        digest=printed[0],
        status_before=before,
        status_after=git_status(root),
    )
