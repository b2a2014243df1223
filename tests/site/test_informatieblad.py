"""The information sheet (informatieblad) of every edition: the PDF says what the tables say.

`gestapeld publish` writes `informatieblad/index.html` and `informatieblad.pdf` next to each
edition's index (src/gestapeld/publication/informatieblad.py; the PDF compiled by Typst). These tests read
every edition's PDF with pypdf and compare it with the published values of `gestapeld.publication.report`
and with the HTML page: the tables row by row, the totals, the reconciliation with the previous
edition, the provenance, the document's title and language. A missing site or PDF is a
failure, not a skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from gestapeld import config, provenance
from gestapeld.config import FORM_LABELS
from gestapeld.publication import informatieblad, reconcile, report, sheet_content

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
EDITIONS = list(config.iterations())

pytestmark = [pytest.mark.slow, pytest.mark.built_site]


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no site in {SITE}: build it first (`make book` or `.venv/bin/gestapeld publish`)")
    return SITE.resolve()


def _pdf(site: Path, edition: str) -> Path:
    pdf = informatieblad.edition_folder(site, edition) / informatieblad.FOLDER / informatieblad.PDF_NAME
    assert pdf.is_file(), (
        f"edition {edition}: {pdf.relative_to(site)} missing (is the site older than informatieblad.py?)"
    )
    return pdf


def _html(site: Path, edition: str) -> BeautifulSoup:
    page = informatieblad.edition_folder(site, edition) / informatieblad.FOLDER / "index.html"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_is_a4_with_two_to_four_pages(site, edition):
    pdf = _pdf(site, edition)
    assert b"file:" not in pdf.read_bytes(), "the PDF holds paths of the build machine"
    pages = PdfReader(pdf).pages
    assert 2 <= len(pages) <= 4, f"{edition}: {len(pages)} pages"
    for page in pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.3) < 1 and abs(h - 841.9) < 1, f"{edition}: page size {w} x {h} pt is not A4"


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_has_the_page_title_dutch_language_and_tags(site, edition):
    reader = PdfReader(_pdf(site, edition))
    title = _html(site, edition).title.get_text()
    assert edition in title
    assert reader.metadata.title == title, "the PDF's document title is not the page's title"
    root = reader.trailer["/Root"]
    assert str(root.get("/Lang", "")).split("-")[0] == "nl", f"document language {root.get('/Lang')!r}"
    assert root.get("/MarkInfo", {}).get("/Marked") == True and "/StructTreeRoot" in root, "not a tagged PDF"  # noqa: E712
    assert root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") == True, "viewers should show the title"  # noqa: E712
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata, (
        "a date in the PDF changes its bytes on every build"
    )


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_table_row_of_the_page_is_in_the_pdf(site, edition):
    flat = _flat(_text(_pdf(site, edition)))
    rows = _html(site, edition).select("main table tr")
    assert len(rows) > 30, f"{edition}: only {len(rows)} table rows on the HTML page"
    missing = []
    for tr in rows:
        line = " ".join(c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"]) if c.get_text(strip=True))
        if _flat(line) not in flat:
            missing.append(line)
    assert not missing, f"{edition}: table rows of the page not in the PDF text: {missing}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_table_rows_equal_the_published_table(site, edition):
    text = _text(_pdf(site, edition))
    wide = report.published_wide(edition)
    measures = [m for m in config.MEASURES if m in wide.columns]
    missing, differ = [], []
    for row in wide.to_dict("records"):
        label = FORM_LABELS.get(row["categorie"], row["categorie"])
        # empty cells leave no text; counts with the Dutch thousands separator (issue 25)
        expected = [report.nl_number(row[m]) for m in measures if row[m] != ""]
        pattern = re.compile(rf"^\s*{re.escape(label)}\s+{re.escape(row['jaar'])}\s+(.*?)\s*$", re.M)
        # only lines of published values: Tabel 1 may wrap a text such as "... alle vormen" /
        # "2021 (inhaaleffect ...)" into a line that starts the same way
        found = [f for f in pattern.findall(text) if re.fullmatch(r"[0-9.<x–\s]*", f)]
        if not found:
            missing.append((label, row["jaar"]))
        elif len(found) > 1 or found[0].split() != expected:
            differ.append((label, row["jaar"], found, expected))
    assert not missing, f"{edition}: table rows not in the PDF: {missing}"
    assert not differ, f"{edition}: rows (vorm, jaar, in the PDF, published) that differ: {differ}"
    # the headline answer: the rounded period totals of all forms
    flat = _flat(text)
    n_a, n_i = report.total(edition, "alle", "aanvragen"), report.total(edition, "alle", "inwilligingen")
    # in the words of the edition's date: before September 2023 only "nareis op nareis" (issue 25)
    unit = "aanvragen nareis op nareis" if len(config.iteration(edition).vormen) == 1 else "gestapelde aanvragen"
    t_a, t_i = report.published_text(n_a), report.published_text(n_i)
    assert f"{t_a} {unit}" in flat and f"waarvan {t_i} op de peildatum" in flat, edition
    alle = wide[(wide["categorie"] == "alle") & (wide["jaar"] == "totaal")].iloc[0]
    assert (alle["aanvragen"], alle["inwilligingen"]) == (str(n_a), str(n_i)), "table total and report.total differ"


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_states_synthetic_data_method_differences_and_provenance(site, edition):
    flat = _flat(_text(_pdf(site, edition)))
    from gestapeld.engine.synth import TARGETS

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
        cells = [
            sheet_content.number_text(a.loc[k, "totaal"]),
            sheet_content.effect_text(a.loc[k, "effect"]),
            sheet_content.number_text(w.loc[k, "totaal"]),
            sheet_content.effect_text(w.loc[k, "effect"]),
        ]
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
    assert f'href="{pdf_link.as_posix()}"' in landing.read_text(encoding="utf-8"), (
        f"{edition}: no link to {pdf_link} in the edition switcher of {target}"
    )


def test_two_builds_give_the_same_bytes_as_the_published_pdf_without_a_browser(site, tmp_path, monkeypatch):
    edition = EDITIONS[-1]
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no chromium (or anything else) to find
    monkeypatch.delenv("GESTAPELD_CHROMIUM", raising=False)
    one = informatieblad.build(tmp_path / "een", edition).read_bytes()
    two = informatieblad.build(tmp_path / "twee", edition).read_bytes()
    assert one[:5] == b"%PDF-" and one == two, "two builds of the same sheet differ"
    # the published PDF shows the site digest where a fresh build has its placeholder (digest.py):
    # the fresh sheet's shipped input compiled with the site's digest must give the published bytes
    from gestapeld.publication import digest

    stamped = digest.compile_sheet(tmp_path / "een" / informatieblad.FOLDER, digest.site_digest(site))
    assert stamped == _pdf(site, edition).read_bytes(), "the published PDF differs from a fresh build of its sheet"
