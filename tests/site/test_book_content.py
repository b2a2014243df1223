"""What the built site says (issue 16): editions as they stood, no blanks, no code names.

Runs on `_build/html` as `make book` left it (make test builds it first), like test_site.py.
Every archived edition is checked against its own date (the `edities` section of the
iteration YAML): a subject page may not name a later month, and only the reconstruction
note and the citations (which point to the sources page) may name the June 2024 sources.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gestapeld import config

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(20\d\d)\b", re.IGNORECASE)
ISO = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")

# Code names that must not reach a reader: parameter values, calibration keys, table columns.
CODE_NAMES = (
    "longitudinal",
    "cross_sectional",
    "binnen_marge",
    "methode=",
    "eigen_asielvergunning",
    "nareis_op_nareis_aanvragen",
    "_2019_2022",
    "_2019_2023",
    "overig_beeindigd",
)
# Pages that document the software and its input schema (codes are their subject).
TECHNICAL = ("gegevens", "reproduceren", "prestaties", "beveiliging", "methode", "begrippen", "bronnen")
ENGLISH_THEME = (
    "Skip to main content",
    "Back to top",
    "Section Navigation",
    "Site navigation",
    "Color mode",
    "On this page",
    "System Settings",
)


class _Text(HTMLParser):
    """Text of the article, without elements of class `reconstructie` and without links to the
    sources page (citations); also collects glued values and table cells."""

    VOID = {"br", "img", "hr", "meta", "link", "input", "col", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.in_article = 0
        self.parts: list[str] = []
        self.pasted: list[list[str]] = []
        self.cells: list[list[str]] = []
        self._open_pasted: list[int] = []
        self._open_cells: list[int] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        # the "Bron van de getallen" cells name each glued number by its key on purpose: a
        # civil servant pastes that citation under a quote (issue 14)
        skip = (
            "reconstructie" in classes
            or "tag_bron-getallen" in classes
            or (tag == "a" and "bronnen.html" in (a.get("href") or ""))
        )
        if tag == "article":
            self.in_article += 1
        self.stack.append((tag, skip))
        if "pasted-text" in classes:
            self.pasted.append([])
            self._open_pasted.append(len(self.stack))
        if tag == "td":
            self.cells.append([])
            self._open_cells.append(len(self.stack))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            t, _ = self.stack.pop()
            depth = len(self.stack) + 1
            if self._open_pasted and self._open_pasted[-1] == depth:
                self._open_pasted.pop()
            if self._open_cells and self._open_cells[-1] == depth:
                self._open_cells.pop()
            if t == "article":
                self.in_article -= 1
            if t == tag:
                break

    def handle_data(self, data):
        if self._open_pasted:
            self.pasted[-1].append(data)
        if self._open_cells:
            self.cells[-1].append(data)
        if self.in_article and not self._skipping():
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _parse(page: Path) -> _Text:
    p = _Text()
    p.feed(page.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail("no site in _build/html: run `make book` first")
    return SITE.resolve()


ARCHIVED = list(config.iterations())[:-1]


def _edition_root(site: Path, edition: str | None) -> Path:
    return site if edition is None else site / "edities" / edition


def _subject_pages(site: Path, edition: str) -> list[Path]:
    book = _edition_root(site, edition) / "book"
    pages = [
        book / "_edities" / f"{edition}.html",
        book / "proces.html",
        book / "methode.html",
        book / "versies.html",
        book / "begrippen.html",
        book / "verschillen.html",
        *sorted((book / "iteraties").glob("*.html")),
        *sorted((book / "verschillen").glob("*.html")),
    ]
    return [p for p in pages if p.is_file()]


def later_dates(text: str, until: dt.date) -> list[str]:
    """Month-year and ISO dates in `text` after the month of `until`."""
    out = []
    for m in MONTH_YEAR.finditer(text):
        month, year = MONTHS.index(m.group(1).lower()) + 1, int(m.group(2))
        if (year, month) > (until.year, until.month):
            out.append(m.group(0))
    for m in ISO.finditer(text):
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d > until:
            out.append(m.group(0))
    return out


def test_later_dates_helper_finds_what_it_must():
    until = dt.date(2023, 8, 31)
    assert later_dates("peildatum 31 juli 2023; conceptcijfers augustus 2023", until) == []
    assert later_dates("verbreed in september 2023, peildatum 2023-10-31", until) == ["september 2023", "2023-10-31"]
    assert later_dates("16 Februari 2024", until) == ["Februari 2024"]


@pytest.mark.parametrize("edition", ARCHIVED)
@pytest.mark.built_site
def test_archived_subject_pages_name_no_later_date(site, edition):
    until = config.edition_dates()[edition]
    pages = _subject_pages(site, edition)
    assert len(pages) >= 5, f"{edition}: subject pages missing: {pages}"
    found = {}
    for page in pages:
        bad = later_dates(_parse(page).text, until)
        if bad:
            found[str(page.relative_to(site))] = sorted(set(bad))
    assert not found, f"edition {edition} ({until}) names later dates: {found}"


@pytest.mark.parametrize("edition", ARCHIVED)
@pytest.mark.built_site
def test_archived_edition_has_only_what_existed(site, edition):
    book = _edition_root(site, edition) / "book"
    ids = list(config.iterations())
    known = ids[: ids.index(edition) + 1]
    assert sorted(p.stem for p in (book / "iteraties").glob("*.html")) == known
    assert not (book / "vergelijking.html").exists(), "the February 2024 comparison cannot exist yet"
    assert not (book / "verschillen" / "v1_v3.html").exists()
    if (book / "verschillen.html").exists():
        assert (
            "Van het tijdreeksenonderzoek (v1) naar de derde cijfervraag" not in _parse(book / "verschillen.html").text
        )
    landing = (book / "_edities" / f"{edition}.html").read_text(encoding="utf-8")
    assert landing.count("reconstructie") >= 1 and "Reconstructie: dit is niet de actuele editie" in landing
    assert 'href="../../../../index.html"' in landing, "the note says where the current edition is"
    assert (site / "index.html").is_file()


def _all_editions(site: Path) -> list[tuple[str | None, Path]]:
    return [(None, site)] + [(e, site / "edities" / e) for e in ARCHIVED]


@pytest.mark.built_site
def test_no_blank_glued_value_or_table_cell_in_any_edition(site):
    blanks = []
    for edition, root in _all_editions(site):
        for page in sorted((root / "book").rglob("*.html")):
            p = _parse(page)
            where = str(page.relative_to(site))
            blanks += [f"{where}: glued value" for v in p.pasted if not "".join(v).strip()]
            blanks += [f"{where}: table cell" for v in p.cells if not "".join(v).strip()]
            if not p.pasted and "{glue" in page.read_text(encoding="utf-8"):
                blanks.append(f"{where}: unresolved glue role")
    assert not blanks, "blank values:\n" + "\n".join(sorted(set(blanks))[:40])


@pytest.mark.built_site
def test_glued_numbers_use_the_dutch_thousands_separator(site):
    wrong = []
    for edition, root in _all_editions(site):
        for page in sorted((root / "book").rglob("*.html")):
            for v in _parse(page).pasted:
                text = "".join(v).strip()
                if page.name == "english.html":  # the English page groups in English: 1,240 (issue 25)
                    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
                        wrong.append(f"{page.relative_to(site)}: {text}")
                    continue
                if (
                    re.fullmatch(r"-?\d{1,3}(,\d{3})+", text)
                    or re.fullmatch(r"-?\d{4,}", text)
                    and not re.fullmatch(r"20\d\d", text)
                ):
                    wrong.append(f"{page.relative_to(site)}: {text}")
    assert not wrong, wrong[:20]


@pytest.mark.built_site
def test_no_code_name_or_english_theme_string_on_reader_pages(site):
    found = []
    for edition, root in _all_editions(site):
        for page in sorted(root.rglob("*.html")):
            rel = page.relative_to(root).as_posix()
            if rel.startswith(("_static/", "edities/", "informatieblad/")) or rel in ("search.html", "genindex.html"):
                continue
            html = page.read_text(encoding="utf-8")
            found += [f"{page.relative_to(site)}: {s!r}" for s in ENGLISH_THEME if s in html]
            if Path(rel).stem in TECHNICAL:
                continue
            text = _parse(page).text
            found += [f"{page.relative_to(site)}: {c!r}" for c in CODE_NAMES if c in text]
    assert not found, "\n".join(found[:40])


V0_ABSENT = (
    "Ketendiepte, alle meegetelde vormen samen",
    "Tijd tussen de twee stappen",
    "Eigen asielvergunning van de referent",
    "maanden tussen de stappen",
    "met eigen asielvergunning",
    "zonder eigen asielvergunning",
    "3 of meer",
)


@pytest.mark.built_site
def test_v0_shows_only_what_a_snapshot_can_know(site):
    for edition, root in _all_editions(site):
        v0 = _parse(root / "book" / "iteraties" / "v0.html").text
        present = [s for s in V0_ABSENT if s in v0]
        assert not present, f"{edition or 'actueel'}: v0 shows {present}"
        assert "die tabellen ontbreken daarom op deze pagina" in v0
    v1 = _parse(site / "book" / "iteraties" / "v1.html").text  # the time series does show them
    assert all(s in v1 for s in V0_ABSENT[:3]), "v1 lost its depth, gap or own-permit table"


@pytest.mark.built_site
def test_published_figures_beside_the_matching_iteration(site):
    pages = {i: _parse(site / "book" / "iteraties" / f"{i}.html").text for i in config.iterations()}
    assert "hooguit zo'n 100" in pages["v1"] and "ongeveer 880" not in pages["v1"]
    assert "ongeveer 880" in pages["v3"] and "ongeveer 350" in pages["v3"] and "ongeveer 1%" in pages["v3"]
    assert "geen groei" in pages["v3"] and "COVID-19" in pages["v3"]
    for i in ("v0", "v2"):
        assert "geen cijfers van de IND openbaar" in pages[i], i
    for i, text in pages.items():
        assert "afgestemd op gepubliceerde totalen" in text, f"{i}: the calibration circularity is not stated"


@pytest.mark.built_site
def test_summary_tells_synthetic_numbers_apart_from_ind_history(site):
    text = _parse(site / "book" / "index.html").text
    assert "telde" not in text.split("Wat de keuzes doen")[0], "past tense for synthetic numbers"
    assert " vond daardoor" not in text
    assert "Gereconstrueerd" in text and "afgebakende periode" in text


def test_theme_catalogue_is_compiled_from_its_source():
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    base = ROOT / "book" / "_locale" / "nl" / "LC_MESSAGES"
    with open(base / "sphinx.po", "rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id}
    with open(base / "sphinx.mo", "rb") as fh:
        mo = {m.id: m.string for m in read_mo(fh) if m.id}
    assert po == mo, "book/_locale: sphinx.mo is out of date; recompile it from sphinx.po"
    assert po["Skip to main content"] and po["Back to top"]


def test_theme_catalogue_compiles_to_the_same_bytes_every_time():
    # Sphinx recompiles sphinx.mo during a build (babel's write_mo, as below). The bytes must
    # be those committed, whenever it runs: otherwise every build changes a committed file
    # and the next `make book` rebuilds the whole site (its inputs changed).
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    base = ROOT / "book" / "_locale" / "nl" / "LC_MESSAGES"
    with open(base / "sphinx.po", encoding="utf-8") as fh:
        catalog = read_po(fh, "nl")
    out = io.BytesIO()
    write_mo(out, catalog, False)
    assert out.getvalue() == (base / "sphinx.mo").read_bytes()
