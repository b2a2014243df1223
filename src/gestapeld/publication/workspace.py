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

from ..config import ConfigError

#: What the book is built from, besides book/ (paths relative to the repository).
SOURCES = ("_config.yml", "requirements.txt", "benchmarks/results/bench.md", "notebooks", "src/gestapeld/engine/sql")
OUTPUTS_LIST = ".run-outputs"  # files under book/ written by notebooks (runner), kept on sync
#: Every site the tool builds carries this file (listed in its manifest); only a folder with it
#: may be replaced by `gestapeld book --out` (besides an absent or empty one).
MARKER = ".gestapeld-site"
MARKER_TEXT = (
    "gestapeld site\nThis folder was written by `gestapeld book`; the next build with --out replaces it whole.\n"
)


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


def mark(site: Path) -> None:
    """Write the marker that makes a folder a site of this tool (before its manifest)."""
    (site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def _is_site(folder: Path) -> bool:
    m = folder / MARKER
    try:
        return m.is_file() and m.read_text(encoding="utf-8").startswith(MARKER_TEXT.split("\n", 1)[0])
    except (OSError, UnicodeDecodeError):
        return False


def _not_listed(site: Path) -> list[str]:
    """Files of a previous site that its manifest does not list (someone else put them there)."""
    listed = {"manifest.sha256"}
    for m in site.rglob("manifest.sha256"):
        base = m.parent.relative_to(site)
        for line in m.read_text(encoding="utf-8", errors="replace").splitlines():
            listed.add((base / line.partition("  ")[2]).as_posix())
            listed.add((base / "manifest.sha256").as_posix())
    return sorted(
        rel
        for rel in (p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() or p.is_symlink())
        if rel not in listed
    )


def _names(found: list[str], what: str = "file") -> str:
    shown = ", ".join(found[:3])
    return f"{len(found)} {what}{'s' if len(found) != 1 else ''} ({shown}{', ...' if len(found) > 3 else ''})"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_out(out: Path, *, protected: dict[str, Path]) -> None:
    """Refuse (ConfigError: exit 2, saying why and what to do) an `--out` that replacing would
    lose something the tool did not write (domain.md section 7).

    `out` must be absent, an empty folder, or a previous site of this tool (its marker, and
    no file its manifests do not list); it may not be, or contain, any of `protected` (the
    extract, the repository, the private cache, the home directory)."""
    target = out.expanduser().resolve()
    found = {what: path.expanduser().resolve() for what, path in protected.items()}
    equal = [what for what, p in found.items() if p == target]
    inside = [what for what, p in found.items() if p != target and p.is_relative_to(target)]
    if equal or inside:
        why = " and ".join([*(f"is {w}" for w in equal), *([f"contains {_and(inside)}"] if inside else [])])
        raise ConfigError(
            f"--out {out} {why}; the site replaces the whole --out folder, so that would be deleted. "
            "Give a new folder of its own for the site, for example a folder 'site' next to the extract "
            "(it may not exist yet)"
        )
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir():
        raise ConfigError(
            f"--out {out} is a file, not a folder; give a folder for the site (absent, empty, or a site "
            "built earlier by gestapeld book)"
        )
    entries = sorted(p.name for p in target.iterdir())
    if not entries:
        return
    if not _is_site(target):
        raise ConfigError(
            f"--out {out} already holds {_names(entries, 'item')} and is not a site built by gestapeld "
            f"(no {MARKER}); "
            "the site replaces the whole folder, so they would be deleted. Give a new or empty folder "
            "(it may not exist yet), or move those files away yourself"
        )
    extra = _not_listed(target)
    if extra:
        raise ConfigError(
            f"--out {out} is a site built by gestapeld, but it also holds {_names(extra)} that the tool did "
            "not write (not in its manifest.sha256); replacing the site would delete them. Move them "
            "out of the folder, or give another folder"
        )


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def deliver(site: Path, out: Path, *, protected: dict[str, Path]) -> bool:
    """Copy the built site to `out` (all files or none); False when `out` already holds it.

    `out` is checked first (check_out): only an absent or empty folder or a previous site of
    this tool is ever replaced. The new site is copied into a staging folder beside `out` (same
    filesystem) and swapped in with one rename; only then is the previous site removed."""
    site = site.resolve()
    check_out(out, protected=protected)
    out = out.expanduser().resolve()
    if out.is_dir() and _manifest_digest(out) == _manifest_digest(site) and _manifest_digest(site):
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(site, tmp)
    if not out.exists():
        os.replace(tmp, out)
    elif not any(out.iterdir()):
        os.replace(tmp, out)  # a rename onto an empty folder replaces it
    elif _exchange(tmp, out):
        shutil.rmtree(tmp)  # now the previous site, checked to be ours
    else:
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old)
    return True
