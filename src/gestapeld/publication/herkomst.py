"""The build's record at the top of a site (herkomst.json): data source, code fingerprints,
library versions and the site digest it shows (written with the placeholder, stamped like
every page). `gestapeld publish` writes it; `gestapeld verify` compares a checkout with it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import config, provenance
from . import digest as site_digest

#: The build's record at the top of the site: data source, code fingerprints, versions and the
#: site digest it shows (written with the placeholder, stamped like every page).
RECORD = "herkomst.json"


def _sha_files(files: list[Path], base: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(p.relative_to(base).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def checkout_fingerprints(root: Path | None = None) -> dict[str, str]:
    """Fingerprints of the code checkout a site is built with: the package (code, SQL,
    templates), the notebook templates and the book's sources (pages, configuration)."""
    root = root or config.project_root()
    pkg = [p for p in config.PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    nbs = [p for p in (root / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    book = [
        p
        for p in (root / "book").rglob("*")
        if p.is_file()
        and p.suffix in (".md", ".bib", ".html", ".po", ".css")
        and "_edities" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    book += [p for p in (root / "_config.yml", root / "requirements.txt") if p.is_file()]
    return {
        "pakket": _sha_files(pkg, config.PACKAGE_DIR),
        "notebooks": _sha_files(nbs, root),
        "boek": _sha_files(book, root),
    }


def build_record(source: dict) -> dict:
    """What the build records in the site (`herkomst.json`)."""
    import importlib.metadata

    versions = provenance.versions()
    for lib in ("typst", "jupyter-book", "nbval"):
        try:
            versions[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            versions[lib] = "-"
    return {
        "site_digest": site_digest.PLACEHOLDER,
        "gegevens": {"bron": source.get("bron"), "sha256": source.get("sha256")},
        "code": checkout_fingerprints(),
        "versies": versions,
    }


def write_record(site: Path, source: dict) -> None:
    (site / RECORD).write_text(json.dumps(build_record(source), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_record(site: Path) -> dict:
    try:
        return json.loads((site / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
