"""Reviewer checks of a built site (the DIR of `gestapeld book`): `gestapeld verify`.

Three paths, each proving something different (README, book/reproduceren.md):

* `--build DIR` alone: every file matches its manifest and the digest the site shows, and all
  shipped notebooks record one extract. Proves only that nothing changed by accident: whoever
  can change a page can change its manifest line.
* `--digest HEX`: the site is the one whose digest the analyst announced. The digest is the
  sha256 of the top manifest, which lists every file of every edition (digest.py); a changed
  byte of any file, PDF included, fails, even with a rewritten manifest. Proves nothing about
  whether the numbers follow from the extract.
* `--data EXTRACT`: the whole site is rebuilt from the extract in a fresh private workspace
  (its own empty cache: nothing kept by the build under review is read), with this code
  checkout, and every file is compared; for a page or a download the numbers that differ are
  named. Then every shipped notebook is re-run with nbval against the extract, a second,
  independent check, whose failures name the notebook, the cell and the output.

The code checkout is compared with the build's first (fingerprints in `herkomst.json`), and
a site built from another extract is refused before anything is rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import config, provenance
from ..config import ConfigError
from . import digest as site_digest
from .herkomst import RECORD, build_record, checkout_fingerprints, read_record

_HEX = re.compile(r"^[0-9a-f]{64}$")


def say(text: str) -> None:
    print(f"gestapeld verify: {text}", file=sys.stderr)


def check_manifests(site: Path, *, digest: str | None = None) -> tuple[int, list[str]]:
    """Files checked and problems (names only) over every manifest.sha256 under `site`, each
    file hashed as the manifests hash it: with `digest` (default: the site's own) normalised to
    the placeholder; a sheet PDF recompiled from its shipped input (digest.py)."""
    site = Path(site)
    n, problems = 0, []
    if not (site / site_digest.MANIFEST).is_file():
        return 0, ["manifest.sha256 missing at the top of the site"]
    digest = digest or site_digest.site_digest(site)
    pdf_results: dict[tuple[Path, str], str | None] = {}
    for m in sorted(site.rglob(site_digest.MANIFEST)):
        base = m.parent
        listed = set()
        for line in m.read_text(encoding="utf-8", errors="replace").splitlines():
            expected, _, rel = line.partition("  ")
            listed.add(rel)
            f = base / rel
            shown = (base / rel).relative_to(site).as_posix()
            n += 1
            if not f.is_file():
                problems.append(f"{shown}: listed but missing")
                continue
            if site_digest.is_sheet_pdf(shown):
                key = (f, expected)
                if key not in pdf_results:
                    pdf_results[key] = site_digest.check_pdf(f.parent, f.read_bytes(), expected, digest)
                if pdf_results[key]:
                    problems.append(f"{shown}: {pdf_results[key]}")
                continue
            got = site_digest.text_hash(f.read_bytes(), digest)
            if got is None:
                problems.append(f"{shown}: holds the digest's placeholder where the digest belongs")
            elif got != expected:
                problems.append(f"{shown}: changed since the build (its hash is not the one in {m.relative_to(site)})")
        if base == site:
            extra = [
                p for p in site.rglob("*") if p.is_file() and p != m and p.relative_to(site).as_posix() not in listed
            ]
            problems += [f"{p.relative_to(site)}: not in the manifest" for p in extra]
    return n, problems


def check_digest(site: Path, announced: str) -> list[str]:
    """Problems of the site against the digest the analyst announced (empty: it is that site)."""
    announced = announced.strip().lower()
    if not _HEX.match(announced):
        raise ConfigError("--digest must be the 64 hexadecimal characters the build printed (the site digest)")
    problems = []
    actual = site_digest.site_digest(site)
    if actual != announced:
        problems.append(
            f"the site's top manifest.sha256 hashes to {actual}, not to the announced digest {announced}: "
            "this is not the site that was announced (a file and its manifest line were changed, or "
            "files were added or removed)"
        )
    _, more = check_manifests(site, digest=announced)
    return problems + more


def notebook_sources(site: Path) -> dict[str, dict]:
    out = {}
    for nb in sorted((site / "_notebooks").rglob("*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {}).get("gestapeld", {})
        out[nb.relative_to(site / "_notebooks").as_posix()] = meta.get("data", {})
    return out


def _code_notice(site: Path, record: dict) -> bool:
    """Say first whether this checkout is the build's; True when it is (or cannot be told)."""
    built = record.get("code")
    if not built:
        say(
            f"the site records no code fingerprints ({RECORD} missing): it cannot be told whether this "
            "checkout is the build's; differences below may come from the code"
        )
        return True
    ours = checkout_fingerprints()
    differ = [k for k in sorted(set(built) | set(ours)) if built.get(k) != ours.get(k)]
    versions = record.get("versies", {})
    ours_v = build_record({})["versies"] if versions else {}
    vdiff = [k for k in sorted(versions) if versions.get(k) != ours_v.get(k)]
    if not differ and not vdiff:
        say(
            "this code checkout is the build's ("
            + ", ".join(f"{k} {ours[k][:12]}" for k in sorted(ours))
            + "), and so are the library versions."
        )
        return True
    lines = [f"{k}: site built with {built.get(k)}, this checkout {ours.get(k)}" for k in differ]
    lines += [f"{k}: site built with {versions.get(k)}, installed {ours_v.get(k)}" for k in vdiff]
    say(
        "THE CODE CHECKOUT DIFFERS FROM THE BUILD'S:\n  - "
        + "\n  - ".join(lines)
        + "\n  A rebuild with other code can differ for that reason alone: check out the build's code "
        "(the same fingerprints) for a verdict on the numbers."
    )
    return False


def verify(*, build: Path, data: Path | None = None, digest: str | None = None, jobs: int | None = None) -> int:
    site = build.resolve()
    if not (site / "index.html").is_file():
        raise ConfigError(f"{build} is not a built site (no index.html); give the DIR of `gestapeld book --out DIR`")
    record = read_record(site)
    same_code = _code_notice(site, record)  # first, before any comparison
    failed = False

    if digest is not None:
        problems = check_digest(site, digest)
        if problems:
            say("FAILED against the announced digest:\n  - " + "\n  - ".join(problems[:30]))
            failed = True
        else:
            say(f"every file of the site is pinned by the announced digest {digest.strip().lower()}.")

    shown = record.get("site_digest")
    # each file against its line, with the digest the site shows (a rewritten manifest changes
    # the top manifest's own hash, said once below, not for every page that shows the digest)
    n, problems = check_manifests(site, digest=shown if shown and _HEX.match(shown) else None)
    own = site_digest.site_digest(site) if (site / site_digest.MANIFEST).is_file() else None
    if shown and own and shown != own:
        problems.insert(
            0,
            f"the site shows the digest {shown} ({RECORD}, versies page), but its top manifest hashes to "
            f"{own}: a manifest was changed after the build",
        )
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
        say("FAILED: the manifests:\n  - " + "\n  - ".join(problems[:30]))
        failed = True
    else:
        say(f"{n} files match their manifests and the digest the site shows ({own}).")
    if not sources or len(kinds) != 1:
        return 1
    bron, sha = next(iter(kinds))
    if data is None:
        say(
            f"all {len(sources)} notebooks record one data source ({bron}, sha256 {sha}). Compare it with the "
            "sha256 the analyst announces, and the site digest with the announced one (--digest HEX). "
            "To check that the numbers follow from the extract: gestapeld verify --build DIR --data PATH."
        )
        return 1 if failed else 0
    if not data.is_file():
        raise ConfigError("extract not found; check the path given with --data")
    given = provenance.data_fingerprint(data)
    if given != sha:
        say(
            "REFUSED: the extract given is not the one the site was built from: the site records sha256 "
            f"{sha}, the extract given has sha256 {given}. Give the extract with the recorded sha256."
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="gestapeld-verify-") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o700)  # a rebuild of a confidential extract: the owner only
        nbval = _Nbval(site, data.resolve(), tmp_path, synthetic=bron == "synthetisch", digests={shown, own}, jobs=jobs)
        try:
            # nbval starts as soon as the rebuild's notebooks are executed, beside its page builds
            rebuilt = _rebuild(site, data.resolve(), tmp_path, jobs=jobs, notebooks_done=nbval.start)
            if rebuilt is None:
                return 1
            failed |= not _compare(site, rebuilt, shown=shown, own=own)
            nbval.start()  # when the rebuild never said its notebooks were done
            failed |= nbval.finish() != 0
        finally:
            nbval.stop()
    if failed:
        if not same_code:
            say("FAILED, and the code checkout differs from the build's (see the first lines).")
        else:
            say("FAILED: the site does not follow from the extract and this code (see above).")
        return 1
    say("the site follows from the extract and this code: every file rebuilt identically, every notebook reproduces.")
    return 0


def _rebuild(site: Path, data: Path, tmp: Path, *, jobs: int | None, notebooks_done=None) -> Path | None:
    """The whole site built again from `data` in a fresh private workspace (empty cache).
    `notebooks_done()` is called when the rebuild's notebooks are executed (its cache filled)."""
    import collections

    out = tmp / "site"
    env = dict(os.environ)
    env["GESTAPELD_CACHE"] = str(tmp / "cache")  # fresh: no kept result of the build under review
    if read_record(site).get("gegevens", {}).get("bron") == "synthetisch":
        # the synthetic default is built with `gestapeld run` + `publish`, not `book --data`
        # (that labels its pages as an IND extract): the same steps in a private workspace
        cmd = [sys.executable, "-m", "gestapeld.publication.verify", "rebuild-synthetic", str(data), str(out)]
    else:
        cmd = [sys.executable, "-m", "gestapeld", "book", "--data", str(data), "--out", str(out)]
    if not (site / "edities").is_dir():
        cmd.append("--no-editions")
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    say("rebuilding the whole site from the extract in a fresh private workspace (this takes as long as a build) ...")
    t0 = time.monotonic()
    tail: collections.deque[str] = collections.deque(maxlen=15)
    with subprocess.Popen(
        cmd, cwd=config.project_root(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as proc:
        for line in proc.stderr:
            tail.append(line.rstrip())
            if notebooks_done and line.startswith("gestapeld run:") and "notebooks executed into" in line:
                notebooks_done()
        code = proc.wait()
    if code != 0:
        say(f"FAILED: the rebuild did not succeed (exit {code}):\n    " + "\n    ".join(tail))
        return None
    say(f"rebuilt in {time.monotonic() - t0:.0f} s.")
    return out


def _compare(site: Path, rebuilt: Path, *, shown: str | None, own: str | None) -> bool:
    from . import sitecompare

    theirs = site_digest.site_digest(rebuilt)
    digests = {d for d in (shown, own, theirs) if d}
    same, findings = sitecompare.compare_sites(site, rebuilt, digests=digests)
    if not findings:
        say(f"all {same} files equal the rebuilt site (site digest {theirs}).")
        return True
    files = sorted({f.file for f in findings})
    say(
        f"FAILED: {len(files)} files differ from the site rebuilt from the extract "
        f"(the rebuilt site's digest is {theirs}; {same} files are equal):\n  - "
        + "\n  - ".join(f.text() for f in findings[:60])
    )
    return False


class _Nbval:
    """The second check: the shipped notebooks re-run with nbval against the extract, in the
    background. It uses the cache the rebuild filled in this verification's own temp folder
    (computed from the extract now, never kept by the build under review)."""

    def __init__(self, site: Path, data: Path, tmp: Path, *, synthetic: bool, digests: set, jobs: int | None):
        self.site, self.data, self.tmp = site, data, tmp
        self.synthetic, self.digests, self.jobs = synthetic, {d for d in digests if d}, jobs
        self.proc: subprocess.Popen | None = None
        self.work = tmp / "notebooks"
        self.report = tmp / "nbval-failures"
        self.log = tmp / "nbval.log"

    def start(self) -> None:
        import shutil

        if self.proc is not None:
            return
        sanitize = config.project_root() / "tests" / "nbval_sanitize.cfg"
        env = dict(os.environ)
        if self.synthetic:
            env.pop("GESTAPELD_DATA", None)
        else:
            env["GESTAPELD_DATA"] = str(self.data)
        env["GESTAPELD_CACHE"] = str(self.tmp / "cache")
        self.report.mkdir()
        env["GESTAPELD_NBVAL_REPORT"] = str(self.report)
        shutil.copytree(self.site / "_notebooks", self.work)
        # the notebooks cite the site digest, which a re-run writes as its placeholder (digest.py)
        for nb in self.work.rglob("*.ipynb"):
            raw = nb.read_bytes()
            for d in sorted(self.digests):
                raw = raw.replace(d.encode(), site_digest.PLACEHOLDER.encode())
            nb.write_bytes(raw)
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "gestapeld.publication.nbval_report",
            "--nbval",
            str(self.work),
            "--nbval-sanitize-with",
            str(sanitize),
            "-W",
            "ignore::DeprecationWarning",
            "-n",
            str(self.jobs or 2),  # pytest-xdist: notebooks at a time, like the build's runner;
            "--dist",
            "loadfile",  # every cell of a notebook in one worker, in order (one kernel)
        ]
        say("second check: re-running the shipped notebooks with nbval against the extract ...")
        self.t0 = time.monotonic()
        with open(self.log, "w") as log:
            # a session of its own, so stop() can end its workers and kernels with it
            self.proc = subprocess.Popen(
                cmd, cwd=self.tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        import signal

        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait()

    def finish(self) -> int:
        from . import sitecompare

        assert self.proc is not None
        code = self.proc.wait()
        out = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        summary = (out or [""])[-1] + f", {time.monotonic() - self.t0:.0f} s"
        if code == 0:
            say(f"notebooks reproduce against the extract ({summary}).")
            return 0
        failures = []
        for part in sorted(self.report.glob("failures-*.json")):
            try:
                failures += json.loads(part.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
        failures.sort(key=lambda f: (f["notebook"], f["cell"]))
        lines = []
        for f in failures:
            nb = Path(f["notebook"])
            nb = nb.relative_to(self.work).as_posix() if nb.is_relative_to(self.work) else nb.name
            where = f"_notebooks/{nb}, code cell {f['cell']} (id {f.get('cell_id') or '?'})"
            if "output" in f:
                pub, rec = sitecompare.first_difference(f["published"], f["recomputed"])
                lines.append(f"{where}: output {f['output']} differs: published {pub!r}, recomputed {rec!r}")
            else:
                lines.append(f"{where}: {f['message'].splitlines()[0] if f['message'] else 'failed'}")
        if not lines:  # nbval failed before any cell (collection, kernel): its own last lines
            lines = out[-5:]
        say(f"FAILED: nbval found differences ({summary}):\n  - " + "\n  - ".join(lines[:30]))
        return 1


def rebuild_synthetic(data: Path, out: Path, *, editions: bool, jobs: int | None) -> int:
    """`make book` (gestapeld run + publish on the synthetic default) in a private workspace
    under $GESTAPELD_CACHE, with `data` as the synthetic default; the site goes to `out`.
    Never writes the repository (book/, data/, _build/)."""
    import shutil

    from . import publish, runner, workspace

    work = workspace.cache_root() / "werk-synthetisch"
    workspace.sync(config.project_root(), work)
    (work / "data").mkdir(exist_ok=True)
    shutil.copyfile(data, work / "data" / "synthetisch.parquet")
    with workspace.rooted(work):
        status = runner.run(data=None, jobs_n=jobs, record_outputs=True)
        if status != 0:
            return status
        site = publish.publish(editions=editions, data=None, announce=False)
    workspace.deliver(site, out, protected={})
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m gestapeld.publication.verify rebuild-synthetic DATA OUT [--no-editions] [--jobs N]`
    (started by `gestapeld verify --data` for a site built on the synthetic default)."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m gestapeld.publication.verify")
    p.add_argument("what", choices=["rebuild-synthetic"])
    p.add_argument("data", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--no-editions", action="store_true")
    p.add_argument("--jobs", type=int, default=None)
    args = p.parse_args(argv)
    return rebuild_synthetic(args.data.resolve(), args.out, editions=not args.no_editions, jobs=args.jobs)


if __name__ == "__main__":
    raise SystemExit(main())
