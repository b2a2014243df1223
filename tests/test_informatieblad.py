"""The information sheet (informatieblad) of every edition: the PDF says what the tables say.

`gestapeld publish` writes `informatieblad/index.html` and `informatieblad.pdf` next to each
edition's index (src/gestapeld/informatieblad.py). These tests read every edition's PDF with
poppler's `pdftotext -layout` and `pdfinfo` and compare it with the published values of
`gestapeld.report`: the table row by row, the totals, the reconciliation with the previous
edition and the provenance. Missing site, PDF, poppler or Chromium is a failure, not a skip.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gestapeld import config, informatieblad, provenance, reconcile, report
from gestapeld.config import FORM_LABELS

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "_build" / "html"
EDITIONS = list(config.iterations())

pytestmark = pytest.mark.slow


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if not exe:
        pytest.fail(f"{name} not found: `apt-get install -y poppler-utils`")
    return exe


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no site in {SITE}: build it first (`make book` or `.venv/bin/gestapeld publish`)")
    return SITE.resolve()


def _pdf(site: Path, edition: str) -> Path:
    pdf = informatieblad.edition_folder(site, edition) / informatieblad.FOLDER / informatieblad.PDF_NAME
    assert pdf.is_file(), f"edition {edition}: {pdf.relative_to(site)} missing (is the site older than informatieblad.py?)"
    return pdf


def _text(pdf: Path) -> str:
    return subprocess.run([_tool("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _info(pdf: Path) -> dict[str, str]:
    out = subprocess.run([_tool("pdfinfo"), "-isodates", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_is_a4_with_two_to_four_pages(site, edition):
    pdf = _pdf(site, edition)
    assert b"file:" not in pdf.read_bytes(), "the PDF holds paths of the build machine (links in the page?)"
    info = _info(pdf)
    assert 2 <= int(info["Pages"]) <= 4, f"{edition}: {info['Pages']} pages"
    w, h = (float(x) for x in re.match(r"([\d.]+) x ([\d.]+)", info["Page size"]).groups())
    assert abs(w - 595) < 2 and abs(h - 842) < 2, f"{edition}: page size {info['Page size']} is not A4"
    assert info.get("Tagged") == "yes", "Chromium writes a tagged (structured) PDF; keep it that way"
    when = informatieblad.source_date().strftime("%Y-%m-%dT%H:%M:%S")
    assert info["CreationDate"].startswith(when) and info["ModDate"].startswith(when), info


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_table_rows_equal_the_published_table(site, edition):
    text = _text(_pdf(site, edition))
    wide = report.published_wide(edition)
    measures = [m for m in config.MEASURES if m in wide.columns]
    missing, differ = [], []
    for row in wide.to_dict("records"):
        label = FORM_LABELS.get(row["categorie"], row["categorie"])
        expected = [row[m] for m in measures if row[m] != ""]  # empty cells leave no text
        pattern = re.compile(rf"^\s*{re.escape(label)}\s+{re.escape(row['jaar'])}\s+(.*?)\s*$", re.M)
        found = pattern.findall(text)
        if not found:
            missing.append((label, row["jaar"]))
        elif len(found) > 1 or found[0].split() != expected:
            differ.append((label, row["jaar"], found, expected))
    assert not missing, f"{edition}: table rows not in the PDF: {missing}"
    assert not differ, f"{edition}: rows (vorm, jaar, in the PDF, published) that differ: {differ}"
    # the headline answer: the rounded period totals of all forms
    flat = _flat(text)
    n_a, n_i = report.total(edition, "alle", "aanvragen"), report.total(edition, "alle", "inwilligingen")
    assert f"{n_a} gestapelde aanvragen" in flat and f"waarvan {n_i} op de peildatum" in flat, edition
    alle = wide[(wide["categorie"] == "alle") & (wide["jaar"] == "totaal")].iloc[0]
    assert (alle["aanvragen"], alle["inwilligingen"]) == (str(n_a), str(n_i)), "table total and report.total differ"


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_states_synthetic_data_method_differences_and_provenance(site, edition):
    flat = _flat(_text(_pdf(site, edition)))
    from gestapeld.synth import TARGETS
    if report.is_synthetic():
        assert "Let op: synthetische gegevens" in flat and "geen cijfers van de IND" in flat
    # the IND's figures of the edition's own request only: February 2024 beside v3, the August
    # 2023 concept beside v1, nothing beside v0 and v2 (issue 16: no anachronism)
    feb = f"ongeveer {TARGETS['nareis_op_nareis_aanvragen_2019_2023']}"
    assert (feb in flat) == (edition == "v3"), f"{edition}: February 2024 figures present: {feb in flat}"
    assert ("hooguit" in flat) == (edition == "v1"), edition  # the concept note: "gemiddeld hooguit zo'n 100"
    if edition in ("v0", "v2"):
        assert "geen cijfers van de IND openbaar" in flat, edition
    assert "De methode in het kort" in flat
    assert provenance.data_fingerprint(report.data_path()) in flat.replace(" ", ""), "sha256 of the extract"
    i = EDITIONS.index(edition)
    if i == 0:
        assert "er is geen vorige editie" in flat
        return
    prev, it = config.iteration(EDITIONS[i - 1]), config.iteration(edition)
    a = reconcile.decomposition(prev, it, maat="aanvragen")
    w = reconcile.decomposition(prev, it, maat="inwilligingen")
    assert f"vorige editie {prev.id}" in flat
    for k in range(len(a)):
        cells = [str(a.loc[k, "totaal"]), informatieblad._effect(a.loc[k, "effect"]),
                 str(w.loc[k, "totaal"]), informatieblad._effect(w.loc[k, "effect"])]
        tail = " ".join(c for c in cells if c)
        assert tail in flat, f"{edition}: reconciliation step {a.loc[k, 'stap']} ({tail}) not in the PDF"


@pytest.mark.parametrize("edition", EDITIONS)
def test_html_sheet_is_self_contained_and_linked_from_the_edition(site, edition):
    folder = informatieblad.edition_folder(site, edition)
    page = (folder / informatieblad.FOLDER / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in page and "<title>" in page
    assert not re.search(r"<script|<link[^>]*stylesheet|(src|href)=\"https?:", page), "not self-contained"
    # the edition's index.html redirects to its landing page (book/index.html, book/_edities/<id>.html)
    target = re.search(r"url=([^\"'>\s]+)", (folder / "index.html").read_text(encoding="utf-8")).group(1)
    landing = folder / target
    pdf_link = Path("../" * target.count("/")) / informatieblad.FOLDER / informatieblad.PDF_NAME
    assert f'href="{pdf_link.as_posix()}"' in landing.read_text(encoding="utf-8"), \
        f"{edition}: no link to {pdf_link} in the edition switcher of {target}"


def test_fix_dates_keeps_length_and_offsets():
    pdf = b"%PDF-1.4\n1 0 obj <</CreationDate (D:20261128135500+00'00')\n/ModDate (D:20261128135501+00'00')>>\nxref"
    when = dt.datetime(2024, 2, 16, tzinfo=dt.timezone.utc)
    out = informatieblad.fix_dates(pdf, when)
    assert len(out) == len(pdf) and out.index(b"xref") == pdf.index(b"xref")
    assert out.count(b"(D:20240216000000+00'00')") == 2


def test_printing_twice_gives_the_same_bytes_as_the_published_pdf(site, tmp_path):
    edition = EDITIONS[-1]
    html = informatieblad.edition_folder(site, edition) / informatieblad.FOLDER / "index.html"
    one = informatieblad.print_pdf(html, tmp_path / "een.pdf").read_bytes()
    two = informatieblad.print_pdf(html, tmp_path / "twee.pdf").read_bytes()
    assert one == two, "two prints of the same page differ"
    assert one == _pdf(site, edition).read_bytes(), "the published PDF differs from a fresh print of its page"
