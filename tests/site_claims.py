"""Find claims that the figures are synthetic in a built site (issue 22).

A site built on an extract may not call its figures synthetic anywhere: no page, caption,
footer or information sheet of any edition. Pages that explain how the software works may
*describe* the synthetic default (the glossary entry, the generator on the Gegevens page,
the benchmarks, the steps to reproduce); they may still not make a claim about the figures
of the site. Used by the real-format builds (test_real_extract) and tested on its own
(test_edges).
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

#: Pages that may describe the synthetic default (not claim it for the site's figures).
DESCRIBING = re.compile(r"(^|/)book/(begrippen|gegevens|bronnen|prestaties|reproduceren|beveiliging)\.html$")

#: Sentences that say the figures of the site (or of a page) are synthetic, or not the IND's.
CLAIMS = [
    r"(aantallen|cijfers|getallen)( \w+){0,6} (zijn|is) (\w+ )?synthetisch",
    r"(aantallen|cijfers|getallen)[^.]{0,60}\bkomen\b[^.]{0,30}\bsynthetisch",
    r"(berekend|gebaseerd|gemaakt)[^.]{0,20} op synthetische gegevens",
    r"standaard op synthetische gegevens",
    r"standaard(cijfers|gegevens)[^.]{0,40}synthetisch",
    r"synthetische standaardgegevens",
    r"geen cijfers van de ind(?! (openbaar|bekend|gepubliceerd))",
    r"geen gegevens van de ind",
    r"let op: synthetische gegevens",
    r"\(synthetische gegevens",
    r"synthetische gegevens, beveiligd",
    r"not ind (figures|data)",
    r"(numbers|figures)[^.]{0,60}synthetic",
    r"synthetic (extract|data)",
]
_CLAIM = re.compile("|".join(f"(?:{c})" for c in CLAIMS))


def page_text(data: bytes) -> str:
    """The visible text of an HTML page (tags, scripts and styles removed), lower case; the
    glossary entry that defines "synthetische gegevens" is left out (it may stay)."""
    text = data.decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<dt\b[^>]*>\s*synthetische gegevens(?:<[^>]+>|[^<]){0,300}?</dt>\s*<dd\b.*?</dd>", " ", text)
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).lower()


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).lower()


def download_text(path: Path) -> str:
    """The text of a download: a workbook's XML parts, or the file as text."""
    import zipfile

    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            raw = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    else:
        raw = path.read_bytes().decode("utf-8", errors="replace")
    return re.sub(r"\s+", " ", raw.replace("\\n", " ")).lower()


DOWNLOADS = (".csv", ".json", ".ipynb", ".xlsx", ".md", ".txt", ".xml")


def synthetic_claims(site: Path) -> list[str]:
    """Every page, PDF and download of every edition that calls the figures synthetic:
    'file: excerpt'. Downloads are checked for claims only (a notebook's code may name
    `is_synthetic`)."""
    found = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            text = page_text(path.read_bytes())
        elif path.suffix == ".pdf":
            text = pdf_text(path.read_bytes())
        elif path.suffix in DOWNLOADS:
            text = download_text(path)
            found += [f"{rel}: ...{text[max(0, m.start() - 60) : m.end() + 20]}..." for m in _CLAIM.finditer(text)]
            continue
        else:
            continue
        for m in _CLAIM.finditer(text):
            found.append(f"{rel}: ...{text[max(0, m.start() - 60) : m.end() + 20]}...")
        if not DESCRIBING.search(rel) and "synthet" in text:
            if not any(f.startswith(f"{rel}:") for f in found):
                i = text.index("synthet")
                found.append(f"{rel}: ...{text[max(0, i - 80) : i + 40]}...")
    return found
