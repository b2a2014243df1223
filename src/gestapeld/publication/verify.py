"""Reviewer checks of a built site (the DIR of `gestapeld book`).

Without the extract: every file matches its manifest (`manifest.sha256` of the site and of
each archived edition), and every executed notebook the site ships (`_notebooks/`) records
one and the same data source and sha256: compare it with the sha256 the analyst announces
(`sha256sum EXTRACT` on their side). With the extract: the same, plus its sha256 must be
the recorded one, and every shipped notebook is re-run with nbval against it (same code
checkout required: the code fingerprint is part of the outputs).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import config, provenance
from ..config import ConfigError


def check_manifests(site: Path) -> tuple[int, list[str]]:
    """Files checked and problems (names only) over every manifest.sha256 under `site`."""
    n, problems = 0, []
    manifests = sorted(site.rglob("manifest.sha256"))
    if not (site / "manifest.sha256").is_file():
        problems.append("manifest.sha256 missing at the top of the site")
    for m in manifests:
        base = m.parent
        listed = set()
        for line in m.read_text(encoding="utf-8").splitlines():
            digest, _, rel = line.partition("  ")
            listed.add(rel)
            f = base / rel
            n += 1
            if not f.is_file():
                problems.append(f"{(base / rel).relative_to(site)}: listed but missing")
            elif hashlib.sha256(f.read_bytes()).hexdigest() != digest:
                problems.append(f"{(base / rel).relative_to(site)}: changed since the build")
        if base == site:
            extra = [
                p
                for p in site.rglob("*")
                if p.is_file() and p.name != "manifest.sha256" and p.relative_to(site).as_posix() not in listed
            ]
            problems += [f"{p.relative_to(site)}: not in the manifest" for p in extra]
    return n, problems


def notebook_sources(site: Path) -> dict[str, dict]:
    out = {}
    for nb in sorted((site / "_notebooks").rglob("*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {}).get("gestapeld", {})
        out[nb.relative_to(site / "_notebooks").as_posix()] = meta.get("data", {})
    return out


def verify(*, build: Path, data: Path | None) -> int:
    site = build.resolve()
    if not (site / "index.html").is_file():
        raise ConfigError(f"{build} is not a built site (no index.html); give the DIR of `gestapeld book --out DIR`")
    n, problems = check_manifests(site)
    sources = notebook_sources(site)
    kinds = {(s.get("bron"), s.get("sha256")) for s in sources.values()}
    if not sources:
        problems.append("no executed notebooks in _notebooks/")
    elif len(kinds) != 1 or None in next(iter(kinds)):
        problems.append(
            "the notebooks do not record one data source: "
            + "; ".join(f"{k}: {(v.get('bron'), (v.get('sha256') or '')[:12])}" for k, v in sources.items())
        )
    if problems:
        print("gestapeld verify: FAILED\n  - " + "\n  - ".join(problems[:20]), file=sys.stderr)
        return 1
    bron, sha = next(iter(kinds))
    print(
        f"gestapeld verify: {n} files match their manifests; all {len(sources)} notebooks record one "
        f"data source ({bron}, sha256 {sha}).",
        file=sys.stderr,
    )
    if data is None:
        print(
            "  Compare this sha256 with the one the analyst announces (sha256sum of the extract). "
            "To re-run the notebooks you need the extract: gestapeld verify --build DIR --data PATH.",
            file=sys.stderr,
        )
        return 0
    if not data.is_file():
        raise ConfigError("extract not found; check the path given with --data")
    if provenance.data_fingerprint(data) != sha:
        print(
            "gestapeld verify: FAILED: the extract given is not the one the site was built from "
            f"(its sha256 differs from the recorded {sha[:12]}…)",
            file=sys.stderr,
        )
        return 1
    return _nbval(site, data.resolve(), synthetic=bron == "synthetisch")


def _nbval(site: Path, data: Path, *, synthetic: bool) -> int:
    """Re-run the shipped notebooks with nbval against the extract, in a private temp folder."""
    import shutil

    sanitize = config.project_root() / "tests" / "nbval_sanitize.cfg"
    env = dict(os.environ)
    if synthetic:
        env.pop("GESTAPELD_DATA", None)
    else:
        env["GESTAPELD_DATA"] = str(data)
    with tempfile.TemporaryDirectory(prefix="gestapeld-verify-") as tmp:
        # an empty private cache: every count is computed again, none read from a past build
        env["GESTAPELD_CACHE"] = str(Path(tmp) / "cache")
        work = Path(tmp) / "notebooks"
        shutil.copytree(site / "_notebooks", work)
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            str(work),
            "--nbval-sanitize-with",
            str(sanitize),
            "-W",
            "ignore::DeprecationWarning",
        ]
        print("gestapeld verify: re-running the notebooks with nbval against the extract ...", file=sys.stderr)
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
    summary = (proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode != 0:
        # nbval prints cell outputs (numbers of the extract); show only the counts
        print(
            f"gestapeld verify: FAILED: nbval found differences ({summary}). Rerun with the same code "
            "checkout as the build (the code fingerprint is in every provenance table).",
            file=sys.stderr,
        )
        return 1
    print(f"gestapeld verify: notebooks reproduce against the extract ({summary}).", file=sys.stderr)
    return 0
