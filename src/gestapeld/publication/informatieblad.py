"""The information sheet (informatieblad) of every edition: a self-contained page and its PDF.

`gestapeld publish` calls `build_all(site)` after the archived editions are in place: for
each edition it writes `informatieblad/index.html` next to the edition's own `index.html`
(the current edition at the root of the site, earlier ones under `edities/<id>/`) and
`informatieblad/informatieblad.pdf` (A4, 2 to 4 pages), compiled by Typst: no browser needed.

The content is gathered once (sheet_content.sheet) and laid out twice (sheet_render.py:
templates/informatieblad.html.j2 and templates/informatieblad.typ). Beside the PDF go its
exact input and template, so a reviewer can recompile it with the site digest (digest.py).

`python -m gestapeld.publication.informatieblad --preview DIR` writes the sheets of all
editions to DIR without touching the site. The README's screenshots are made by
docs/screenshots.py.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .. import config
from . import digest
from .sheet_content import sheet
from .sheet_render import (
    PDF_NAME,
    TYPST_TEMPLATE,
    InformatiebladError,
    render_html,
    render_pdf,
    sheet_json,
    templates_folder,
)

FOLDER = "informatieblad"


def edition_folder(site: Path, edition: str) -> Path:
    """The folder of an edition in the site: the root for the current (last) edition."""
    ids = list(config.iterations())
    return Path(site) if edition == ids[-1] else Path(site) / "edities" / edition


def page(edition: str) -> str:
    """The self-contained HTML of one edition's information sheet."""
    return render_html(sheet(edition))


def pdf(edition: str) -> bytes:
    """The PDF of one edition's information sheet."""
    return render_pdf(sheet(edition))


def build(folder: Path, edition: str) -> Path:
    """Write `folder/informatieblad/index.html` and its PDF for one edition; returns the PDF."""
    out = Path(folder) / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    content = sheet(edition)
    (out / "index.html").write_text(render_html(content), encoding="utf-8")
    target = out / PDF_NAME
    target.write_bytes(render_pdf(content))
    # the exact input of the PDF, so a reviewer can recompile it with the digest (digest.py)
    (out / digest.SHEET_INPUT).write_text(sheet_json(content), encoding="utf-8")
    shutil.copyfile(templates_folder() / TYPST_TEMPLATE, out / digest.SHEET_TEMPLATE)
    return target


def build_all(site: Path) -> list[Path]:
    """The information sheet of every edition in the site (called by `gestapeld publish`)."""
    site = Path(site)
    pdfs = []
    ids = list(config.iterations())
    for edition in ids:
        folder = edition_folder(site, edition)
        if not (folder / "index.html").is_file():
            if edition != ids[-1] and not folder.exists():
                continue  # archived editions not built (`publish(editions=False)`)
            raise InformatiebladError(f"informatieblad: edition {edition} has no index.html in {folder}")
        print(f"gestapeld publish: informatieblad {edition} (html and pdf)", file=sys.stderr)
        pdfs.append(build(folder, edition))
    return pdfs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m gestapeld.publication.informatieblad", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument(
        "--preview",
        type=Path,
        metavar="DIR",
        help="write every edition's sheet (html and pdf) to DIR/<id>/ without touching the site",
    )
    args = ap.parse_args(argv)
    if not args.preview:
        ap.error("nothing to do: give --preview DIR (the README's screenshots: docs/screenshots.py)")
    for edition in config.iterations():
        pdf = build(args.preview / edition, edition)
        print(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
