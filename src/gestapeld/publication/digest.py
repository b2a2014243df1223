"""The site digest: one sha256 that pins every file of a built site.

The digest is the sha256 of the top `manifest.sha256`, which lists every file of the site:
every edition, the edition manifests, the information sheets and their PDFs, the downloads
and the shipped notebooks (`_notebooks/`).

The circularity (the digest is shown on pages that the digest covers) is solved so that it
stays sound:

* Every file is built with a fixed placeholder (`PLACEHOLDER`, 64 zeros) where the digest
  goes. The manifests list the sha256 of those *normalised* files; the digest is the sha256 of
  the top manifest. Only then is every placeholder replaced by the digest (`stamp`).
* A text file is checked against the digest HEX by replacing each occurrence of HEX with the
  placeholder and hashing the result. The check also requires the reverse (replacing the
  placeholder again with HEX gives the file back, byte for byte), so the normalisation is
  injective: two different files can never pass with the same manifest line (swapping the
  digest for zeros or zeros for the digest fails).
* Typst compresses a PDF's text, so bytes cannot be substituted in the information sheet's
  PDF. The sheet ships the exact input of its PDF (`informatieblad.json`, normalised like any
  text file, and the Typst template `informatieblad.typ`); the manifest line of the PDF is the
  sha256 of the PDF compiled from that input with the placeholder, and the shipped PDF must be,
  byte for byte, the PDF compiled from the same input with the digest (`check_pdf`). Typst is
  pinned in requirements.txt and uses only the fonts of its wheel, so the compile is a function
  of its input.

So a changed byte anywhere fails the digest, even when its manifest line is rewritten: the
top manifest's sha256 would change, and an edition manifest is itself a line of the top one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

#: What stands where the digest goes, while the manifests are computed.
PLACEHOLDER = "0" * 64
MANIFEST = "manifest.sha256"
#: The information sheet's PDF, and what it is compiled from (shipped beside it).
SHEET_PDF = "informatieblad.pdf"
SHEET_INPUT = "informatieblad.json"
SHEET_TEMPLATE = "informatieblad.typ"


class DigestError(RuntimeError):
    pass


def site_digest(site_dir: Path | str) -> str:
    """The site digest of a built site: the sha256 of its top `manifest.sha256`."""
    top = Path(site_dir) / MANIFEST
    if not top.is_file():
        raise DigestError(f"{top.parent} has no {MANIFEST} at its top: not a built site")
    return hashlib.sha256(top.read_bytes()).hexdigest()


def is_sheet_pdf(rel: str) -> bool:
    """The PDFs that are checked by recompiling their shipped input (fixed by path)."""
    return rel == f"informatieblad/{SHEET_PDF}" or rel.endswith(f"/informatieblad/{SHEET_PDF}")


def normalise(data: bytes, digest: str) -> bytes | None:
    """`data` with every occurrence of `digest` replaced by the placeholder; None when that
    is not reversible (the file would not be pinned by its normalised hash)."""
    d, p = digest.encode(), PLACEHOLDER.encode()
    norm = data.replace(d, p)
    return norm if norm.replace(p, d) == data else None


def stamp_bytes(data: bytes, digest: str) -> bytes:
    return data.replace(PLACEHOLDER.encode(), digest.encode())


def text_hash(data: bytes, digest: str | None) -> str | None:
    """The manifest hash of a (non-PDF-sheet) file: of its normalised bytes; None when the
    normalisation is not reversible."""
    if digest is None:
        return hashlib.sha256(data).hexdigest()
    norm = normalise(data, digest)
    return None if norm is None else hashlib.sha256(norm).hexdigest()


def compile_sheet(folder: Path, digest: str, *, shown: Iterable[str] = ()) -> bytes:
    """The sheet PDF compiled from the input shipped in `folder`, with `digest` where the
    digest goes (the placeholder itself gives the normalised PDF). `shown`: digests the
    shipped input may already hold in that place (it is stamped like any text file)."""
    from . import sheet_render

    data = (folder / SHEET_INPUT).read_bytes()
    for d in shown:
        data = data.replace(d.encode(), PLACEHOLDER.encode())
    return sheet_render.compile_typst(folder / SHEET_TEMPLATE, stamp_bytes(data, digest).decode("utf-8"))


def check_pdf(folder: Path, pdf_bytes: bytes, line: str, digest: str) -> str | None:
    """None when the shipped sheet PDF is exactly what its shipped input gives with `digest`
    and the normalised PDF has the manifest hash `line`; else what is wrong."""
    for name in (SHEET_INPUT, SHEET_TEMPLATE):
        if not (folder / name).is_file():
            return f"{name} (the input of the PDF) is missing"
    try:
        if compile_sheet(folder, digest, shown=[digest]) != pdf_bytes:
            return "the PDF is not the one its shipped input compiles to with this digest"
        if hashlib.sha256(compile_sheet(folder, PLACEHOLDER, shown=[digest])).hexdigest() != line:
            return "the PDF's manifest line is not the hash of its normalised PDF"
    except Exception as err:  # noqa: BLE001 - a PDF that cannot be recompiled fails the check
        return f"its input does not compile ({type(err).__name__})"
    return None


def manifest_text(folder: Path, *, file_hash: Callable[[Path, str], str]) -> str:
    """The manifest of `folder`: every file except the folder's own manifest (edition
    manifests in sub-folders are listed), sorted by path."""
    lines = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel != MANIFEST:
            lines.append(f"{file_hash(p, rel)}  {rel}")
    return "\n".join(lines) + "\n"


def build_hash(path: Path, rel: str) -> str:
    """The manifest hash of a file as the build writes it (placeholder still in place)."""
    # a sheet PDF too: it was compiled with the placeholder, which is its normalised form
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stamp(site: Path) -> str:
    """After every manifest is written: the digest, and every placeholder replaced by it
    (sheet PDFs recompiled with it). Returns the digest."""
    site = Path(site)
    digest = site_digest(site)
    p = PLACEHOLDER.encode()
    for f in sorted(site.rglob("*")):
        if not f.is_file() or f.name == MANIFEST:
            continue
        rel = f.relative_to(site).as_posix()
        if is_sheet_pdf(rel):
            f.write_bytes(compile_sheet(f.parent, digest, shown=[digest]))
            continue
        data = f.read_bytes()
        if p in data:
            stamped = stamp_bytes(data, digest)
            if normalise(stamped, digest) != data:
                raise DigestError(f"{rel}: the digest cannot be written reversibly")
            f.write_bytes(stamped)
    return digest
