"""The built publication, read closely (issue 25): every page and information sheet of every
edition, HTML and PDF.

Runs on `_build/html` as `make book` left it (make test builds it first), like test_site.py;
`GESTAPELD_SITE=DIR` reads another build (for example a private `gestapeld book --out DIR`).
It fails on:

- an English theme string on a Dutch page;
- a number of four or more digits without the Dutch thousands separator in a table or sheet;
- a *bron* citation that names another edition, or credits a figure of the IND to a notebook;
- a table that shows `<10`, `x` or `–` without a note under it that explains each symbol;
- an archived edition that knows what only became known later;
- a `methode` page whose as-of rule is not the rule the engine applies;
- calibration verdicts that disagree with the values they judge (a match reported as a miss).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from gestapeld import config
from gestapeld.publication import report, symbols

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GESTAPELD_SITE") or ROOT / "_build" / "html")

#: Strings of the theme (sphinx-book-theme, pydata-sphinx-theme, Sphinx) that must not reach
#: a Dutch page: the issue's list and their siblings.
ENGLISH = (
    "Fig. ",
    "Search...",
    "Search the docs",
    "Link to this heading",
    "Link to this table",
    "Link to this image",
    "Link to this code",
    "Toggle primary sidebar",
    "Toggle secondary sidebar",
    "Please activate JavaScript",
    "Search Results",
    "Skip to main content",
    "Back to top",
    "Print to PDF",
    "Download this page",
    "On this page",
)
MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december "
    "january february march may june july august october"
).split()
# a run of 4+ digits standing alone (not inside a date, hash, version, decimal or grouped number)
BARE = re.compile(r"(?<![\w.,\-/:#+])(\d{4,8})(?![\w\-/:%]|[.,]\d)")
YEAR_WORDS = ("jaar", "piek", "datum", "periode", "wanneer", "moment", "editie", "year", "peil")


# ------------------------------------------------------------------- the site


def _editions() -> dict[str, Path]:
    ids = list(config.iterations())
    out = {ids[-1]: SITE}
    for i in ids[:-1]:
        out[i] = SITE / "edities" / i
    return out


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no site in {SITE}: run `make book` first (or set GESTAPELD_SITE)")
    return SITE.resolve()


@pytest.fixture(scope="module")
def editions(site) -> dict[str, Path]:
    eds = _editions()
    missing = [i for i, p in eds.items() if not (p / "index.html").is_file()]
    assert not missing, f"editions without a built site: {missing}"
    return eds


def _pages(root: Path) -> list[Path]:
    """Every page of one edition (not the archived editions inside the current one)."""
    out = []
    for p in sorted(root.rglob("*.html")):
        rel = p.relative_to(root).parts
        if rel[0] in ("edities", "_static", "_downloads", "_images", "_notebooks") or p.name == "genindex.html":
            continue
        out.append(p)
    return out


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _dutch(path: Path) -> bool:
    return path.name != "english.html"


def _pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _is_year(token: str, before: str, labels: str, alone: bool) -> bool:
    """A 4-digit year: in running text any 1990-2099; a cell that is only such a number is a
    year only when its column or row label says so (otherwise it is a count: 2021 aanvragen)."""
    if not (len(token) == 4 and 1990 <= int(token) <= 2099):
        return False
    return not alone or any(w in labels.lower() for w in YEAR_WORDS)


def bare_numbers(text: str, labels: str = "") -> list[str]:
    """Numbers of four or more digits without the thousands separator, years excepted."""
    alone = text.strip().isdigit()
    return [m.group(1) for m in BARE.finditer(text) if not _is_year(m.group(1), text[: m.start()], labels, alone)]


def _tables(soup) -> list[tuple[object, list[list[tuple[str, str]]]]]:
    """Each table with its rows of (cell text, labels: column header + row label)."""
    out = []
    for t in soup.find_all("table"):
        header = [c.get_text(" ", strip=True) for c in (t.find("thead") or t).find_all("tr")[0].find_all(["th", "td"])]
        # every header row (pandas writes the index names, such as 'jaar', in a second one)
        all_headers = " ".join(c.get_text(" ", strip=True) for c in t.select("thead th"))
        rows = []
        for tr in t.find_all("tr"):
            cells = tr.find_all(["td", "th"])
            if not cells or tr.find_parent("thead") is not None:
                continue
            row_label = cells[0].get_text(" ", strip=True)
            rows.append(
                [
                    (
                        c.get_text(" ", strip=True),
                        (header[i] if i < len(header) else "") + " " + row_label + " " + all_headers,
                    )
                    for i, c in enumerate(cells)
                ]
            )
        out.append((t, rows))
    return out


# ------------------------------------------------------------------- one Dutch


@pytest.mark.built_site
def test_no_english_theme_strings_on_dutch_pages(editions):
    bad = []
    for ed, root in editions.items():
        for page in _pages(root):
            if not _dutch(page):
                continue
            html = page.read_text(encoding="utf-8")
            bad += [f"{ed}: {page.relative_to(root)}: {s!r}" for s in ENGLISH if s in html]
    assert not bad, "English theme strings on Dutch pages:\n" + "\n".join(bad[:30])


@pytest.mark.built_site
def test_every_number_in_a_table_or_sheet_has_the_dutch_thousands_separator(editions):
    bad = []
    for ed, root in editions.items():
        for page in _pages(root):
            if not _dutch(page):
                continue
            for table, rows in _tables(_soup(page)):
                if table.find_parent(class_="tabel") and "hash" in " ".join(table.get("class") or []):
                    continue
                for row in rows:
                    for text, labels in row:
                        if "sha256" in labels.lower() or "vingerafdruk" in labels.lower():
                            continue
                        bad += [
                            f"{ed}: {page.relative_to(root)}: {n} in {text[:60]!r}" for n in bare_numbers(text, labels)
                        ]
        pdf = root / "informatieblad" / "informatieblad.pdf"
        for i, text in enumerate(_pdf_text(pdf), 1):
            for line in text.splitlines():
                if re.search(r"[0-9a-f]{12,}", line) or "sha256" in line or "versie" in line.lower():
                    continue
                bad += [f"{ed}: informatieblad.pdf p. {i}: {n} in {line[:60]!r}" for n in bare_numbers(line)]
    assert not bad, "numbers without the thousands separator:\n" + "\n".join(bad[:30])


def test_the_checker_finds_a_missing_separator():
    # the rule itself, on known text: a count of 2150 is flagged, 2.150, years and dates are not
    assert bare_numbers("2150") == ["2150"]
    assert bare_numbers("12470 aanvragen") == ["12470"]
    assert bare_numbers("2.150") == [] and bare_numbers("2019-01-01") == [] and bare_numbers("in 2021") == []
    assert bare_numbers("2021", labels="jaar") == [] and bare_numbers("7 juni 2024") == []
    assert bare_numbers("2021", labels="aanvragen") == ["2021"]  # a count that looks like a year


@pytest.mark.built_site
def test_the_english_page_uses_english_number_format(site):
    soup = _soup(site / "book" / "english.html")
    # the numbers the page pastes and tabulates (its prose explains the Dutch pages' 2.180)
    text = " ".join(e.get_text(" ") for e in soup.select("span.pasted-text, td"))
    assert text.strip(), "the English page pastes no numbers"
    dutch = re.findall(r"\b\d{1,3}\.\d{3}\b", text)
    assert not dutch, f"Dutch-grouped numbers on the English page: {dutch[:10]}"


# ------------------------------------------------------------------- citations


CITATION = re.compile(r"Gestapelde gezinshereniging, editie (v\d+)")


@pytest.mark.built_site
def test_every_bron_cell_names_its_own_edition(editions):
    bad, seen = [], 0
    for ed, root in editions.items():
        for page in _pages(root):
            for m in CITATION.finditer(_soup(page).get_text(" ")):
                seen += 1
                if m.group(1) != ed:
                    bad.append(f"edition {ed}: {page.relative_to(root)} cites editie {m.group(1)}")
    assert seen, "no citations found: the bron cells are missing"
    assert not bad, "\n".join(bad[:20])


@pytest.mark.built_site
def test_ind_figures_cite_the_ind_document_never_a_notebook(editions):
    bad, seen = [], 0
    for ed, root in editions.items():
        for page in _pages(root):
            for tr in _soup(page).find_all("tr"):
                cells = [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
                if not cells or not cells[0].startswith(report.IND_FIGURE_PREFIX):
                    continue
                seen += 1
                cite = cells[-1]
                if "notebook" in cite or "sha256" in cite or "Immigratie- en Naturalisatiedienst" not in cite:
                    bad.append(f"{ed}: {page.relative_to(root)}: {cells[0]}: {cite[:90]!r}")
    assert seen, "the IND's figures are not listed in any bron cell"
    assert not bad, "IND figures credited to a notebook:\n" + "\n".join(bad)
    # on the landing page the IND's figures link to the IND source, not to a notebook cell
    soup = _soup(editions[list(editions)[0]] / "book" / "index.html")
    para = next(p for p in soup.find_all("p") if p.get_text().startswith("Het antwoord van de IND"))
    links = [a["href"] for a in para.find_all("a", href=True)]
    assert links and not [h for h in links if "#bron-" in h], links
    assert any("vergelijking-ind-bron" in h for h in links), links
    html = str(_soup(editions[list(editions)[0]] / "book" / "vergelijking.html"))
    assert 'id="vergelijking-ind-bron"' in html
    after = html[html.index('id="vergelijking-ind-bron"') :][:3000]
    assert "Bron van de cijfers van de IND" in after and "16 februari 2024" in after


def test_the_citation_of_an_ind_figure_is_the_document():
    text = report.citation("overzicht", "pub_non_aanvragen")
    assert "notebook" not in text and "Informatieblad" in text and "16 februari 2024" in text
    assert "pagina" in text  # the page is named, or that it cannot be
    assert "notebook overzicht.ipynb" in report.citation("overzicht", "v3_alle_aanvragen")


# ------------------------------------------------------------------- symbols


@pytest.mark.built_site
def test_every_table_with_a_symbol_explains_it_in_html_and_pdf(editions):
    bad, seen = [], 0
    for ed, root in editions.items():
        for page in _pages(root):
            lang = "en" if page.name == "english.html" else "nl"
            meanings = symbols.meanings(lang)
            for table, rows in _tables(_soup(page)):
                found = symbols.in_cells([text for row in rows for text, _ in row[1:]])
                if not found:
                    continue
                seen += 1
                note = table.find_next(class_="symboolnoot")
                if note is None or note.find_previous("table") is not table:
                    bad.append(f"{ed}: {page.relative_to(root)}: a table with {found} has no note")
                    continue
                text = note.get_text(" ", strip=True)
                missing = [s for s in found if f"{s} = {meanings[s]}" not in text]
                if missing:
                    bad.append(f"{ed}: {page.relative_to(root)}: the note does not explain {missing}")
        sheet = root / "informatieblad" / "index.html"
        notes = [n.get_text(" ", strip=True) for n in _soup(sheet).find_all(class_="symboolnoot")]
        pdf = " ".join(" ".join(_pdf_text(root / "informatieblad" / "informatieblad.pdf")).split())
        for n in notes:
            if n.split(":")[0] not in pdf or "Tekens in deze tabel" not in pdf:
                bad.append(f"{ed}: informatieblad.pdf lacks the note of its HTML sheet: {n[:60]!r}")
    assert seen, "no table with a symbol found: the check checked nothing"
    assert not bad, "\n".join(bad[:30])


def test_the_symbol_note_explains_exactly_the_symbols_shown():
    assert symbols.in_html("<td>&lt;10</td><td>12</td><td>x</td>") == ["<10", "x"]
    assert symbols.in_cells(["1.240", "niet van toepassing"]) == []
    note = symbols.note(["–"])
    assert "– = niet van toepassing" in note and "<10" not in note
    assert "afgerond op 10-tallen" in symbols.note(["<10"])


# ------------------------------------------------------------------- one truth per fact


@pytest.mark.built_site
def test_methode_states_the_as_of_rule_the_engine_applies(site, tmp_path):
    from conftest import run_tables, zaak

    text = " ".join(_soup(site / "book" / "methode.html").get_text(" ").split())
    rule = text.split("Alle tellingen gaan uit van wat er op de peildatum bekend was")[1][:900]
    assert "aanvraagdatum en de registratiedatum" in rule and "op of vóór de peildatum" in rule, rule
    assert "besluitdatum op of vóór de peildatum" in rule and "lopend" in rule, rule
    assert "geen registratiedatum" not in text.replace("Heeft het extract geen registratiedatum", "")
    # the engine does what the page says: registered after the peildatum -> not yet there;
    # decided after the peildatum -> still pending (lopend)
    rows = [
        zaak("1", "A", "asiel", "2015-01-10", "2015-06-01", "inwilliging"),
        zaak("2", "B", "nareis", "2016-01-10", "2016-09-01", "inwilliging", referent_id="A"),
        zaak("3", "B", "asiel", "2017-01-10", "2018-01-10", "inwilliging"),
        zaak("4", "C", "nareis", "2020-03-01", "2020-09-01", "inwilliging", referent_id="B"),
        zaak("5", "D", "nareis", "2020-03-01", "", "", referent_id="B"),
    ]
    for r in rows:
        r["registratiedatum"] = r["aanvraagdatum"]
    rows[4]["registratiedatum"] = "2020-08-01"  # filed in March, in the system only in August
    kw = dict(iteration="v3", start="2019-01-01", end="2020-12-31", forms=["nareis_op_nareis"])
    before = run_tables(tmp_path, rows, peildatum="2020-07-31", **kw).tabel
    after = run_tables(tmp_path, rows, peildatum="2020-10-31", **kw).tabel
    assert before[("nareis_op_nareis", 2020, "aanvragen")] == 1  # D's application not yet registered
    assert before[("nareis_op_nareis", 2020, "lopend")] == 1  # C's decision (September) not yet there
    assert after[("nareis_op_nareis", 2020, "aanvragen")] == 2
    assert after[("nareis_op_nareis", 2020, "inwilligingen")] == 1


@pytest.mark.parametrize(
    ("doel", "published", "ours", "met"),
    [
        ("piekjaar_alle_inwilligingen", 2021.0, "2021", True),  # the 2021 match, from a float column
        ("piekjaar_alle_inwilligingen", 2021, "2021", True),
        ("piekjaar_alle_inwilligingen", 2021.0, "2020", False),
        ("piekjaar_alle_inwilligingen", 2021.0, "2020 en 2021", False),
        ("piekjaar_alle_inwilligingen", 2021.0, "niet te bepalen", False),
        ("nareis_op_nareis_aanvragen_2019_2023", 880, "850", True),
        ("nareis_op_nareis_aanvragen_2019_2023", 880, "600", False),
        ("nareis_op_nareis_aanvragen_2019_2023", 880, "<10", False),
        ("aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022", 0.01, 0.0105, True),
        ("aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022", 0.01, float("nan"), False),
    ],
)
def test_calibration_verdict_is_computed_from_the_values(doel, published, ours, met):
    assert report.calibration_met(doel, published, ours, tolerance=0.2) is met


@pytest.mark.built_site
def test_the_calibration_page_reports_a_match_as_a_match(site):
    soup = _soup(site / "book" / "kalibratie.html")
    checked = 0
    for table, rows in _tables(soup):
        header = [c.get_text(" ", strip=True) for c in table.find_all("tr")[0].find_all(["th", "td"])]
        if "binnen 20%" not in " ".join(header):
            continue
        for row in rows:
            cells = {header[i] if i < len(header) else i: t for i, (t, _) in enumerate(row)}
            ours = next((v for k, v in cells.items() if isinstance(k, str) and "beveiligd" in k), None)
            if cells.get(header[0], "").startswith("IND: jaar met de meeste") and ours is not None:
                checked += 1
                expected = "ja" if ours == cells.get("gepubliceerd (IND of CBS)") else "nee"
                assert cells.get("binnen 20%") == expected, row
    assert checked, "the peak-year row of the calibration table was not found"


def test_a_nonzero_share_never_prints_as_zero():
    assert report.percent(10 / 36040) == "minder dan 0,1%"
    assert report.percent(0.0123) == "1,2%" and report.percent(0) == "0,0%"
    assert report.percent(0.0004, 2) == "0,04%"


@pytest.mark.built_site
def test_an_undeterminable_depth_reads_not_applicable(editions):
    ids = list(config.iterations())
    cross = [i for i in ids if config.iteration(i).methode == "cross_sectional"]
    assert cross
    for ed, root in editions.items():
        for i in cross:
            page = root / "book" / "iteraties" / f"{i}.html"
            if not page.is_file():
                continue
            rows = {
                tr.find_all(["th", "td"])[0].get_text(strip=True): tr.find_all(["th", "td"])[1].get_text(strip=True)
                for tr in _soup(page).find_all("tr")
                if len(tr.find_all(["th", "td"])) >= 2
            }
            assert rows.get("diepte3") == report.NOT_APPLICABLE, (ed, i, rows.get("diepte3"))


@pytest.mark.built_site
def test_a_per_year_average_comes_from_the_published_period_total(site):
    text = " ".join(_soup(site / "book" / "iteraties" / "v3.html").get_text(" ").split())
    found = re.findall(r"gemiddeld ([\d.]+) per jaar: ([\d.]+) over (\d+) jaar", text)
    assert found, "the per-year average and its period total are not on the v3 page"
    for gem, total, n in found:
        total_i, gem_i = int(total.replace(".", "")), int(gem.replace(".", ""))
        assert gem_i == int(round(total_i / int(n), -1)), (gem, total, n)


@pytest.mark.built_site
def test_the_depth_heading_says_what_the_table_counts(site):
    soup = _soup(site / "book" / "iteraties" / "v3.html")
    headings = [h.get_text(" ", strip=True) for h in soup.find_all(["h2", "h3"])]
    assert not [h for h in headings if h.startswith("Ketendiepte: nareis op nareis op nareis")], headings
    assert [h for h in headings if "Ketendiepte" in h and "alle" in h], headings


# ------------------------------------------------------------------- editions as they stood


def _edition_text(root: Path, rel: str) -> str:
    return " ".join(_soup(root / rel).get_text(" ").split())


@pytest.mark.built_site
def test_archived_editions_know_only_their_own_date(editions):
    dates = config.edition_dates()
    ids = list(config.iterations())
    bad = []
    for ed, root in editions.items():
        if ed == ids[-1]:
            continue
        narrow = len(config.iteration(ed).vormen) == 1
        sheet = _edition_text(root, "informatieblad/index.html")
        pdf = " ".join(" ".join(_pdf_text(root / "informatieblad" / "informatieblad.pdf")).split())
        rels = ("book/proces.html", "book/methode.html", f"book/iteraties/{ed}.html")
        pages = {rel: _edition_text(root, rel) for rel in rels}
        pages["informatieblad"], pages["informatieblad.pdf"] = sheet, pdf
        for where, text in pages.items():
            if "De volgende edities" in text:
                bad.append(f"{ed} {where}: speaks of later editions")
            if "bekendmaakte" in text:
                bad.append(f"{ed} {where}: 'bekendmaakte' for a figure that was not public then")
            if "De nota wordt niet vastgesteld" in text:
                bad.append(f"{ed} {where}: states the non-approval (known in June 2024) as a fact")
            if dates[ed] < dt.date(2023, 6, 15):
                # the judgement on the first request and the time series date from mid-June 2023
                for m in re.finditer(r"niet het benodigde inzicht", text):
                    if "latere kennis" not in text[max(0, m.start() - 300) : m.start()].lower():
                        bad.append(f"{ed} {where}: the June 2023 judgement unmarked")
            if narrow and where.startswith("informatieblad"):
                for later in ("vier vormen", "vormen van gestapelde gezinshereniging", "8 EVRM na 8 EVRM"):
                    if later in text:
                        bad.append(f"{ed} {where}: {later!r} (September 2023) in an edition of {dates[ed]}")
        voorbeelden = _edition_text(root, "book/voorbeelden.html")
        if "parameters van iteratie v3" in voorbeelden or f"iteratie {ed} (" not in voorbeelden:
            bad.append(f"{ed} voorbeelden: the examples do not use the parameters of {ed}")
    assert not bad, "\n".join(bad)


@pytest.mark.built_site
def test_information_sheets_say_they_are_a_reconstruction_not_the_inds_document(editions):
    from pypdf import PdfReader

    ids = list(config.iterations())
    for ed, root in editions.items():
        pdf = root / "informatieblad" / "informatieblad.pdf"
        reader = PdfReader(pdf)
        title = str((reader.metadata or {}).get("/Title", ""))
        assert "Reconstructie" in title and "geen document van de IND" in title, (ed, title)
        for i, page in enumerate(reader.pages, 1):
            assert "Reconstructie, geen document van de IND" in (page.extract_text() or ""), (ed, i)
        text = " ".join(" ".join(_pdf_text(pdf)).split())
        # the request is named as the sources name it, never "de cijfervraag van <month of the edition>"
        it = config.iteration(ed)
        assert f"de cijfervraag van {it.tijdlijn}" not in text, (ed, it.tijdlijn)
        if ed == ids[-1]:
            assert "februari 2024" not in text.split("Hoort bij:")[1].split("Peildatum")[0].replace(
                "16 februari 2024", ""
            )


def test_charts_name_their_data_source():
    from gestapeld.publication import figures

    fig = figures.series_by_year(
        __import__("pandas").DataFrame(
            {"categorie": ["nareis_op_nareis"] * 2, "jaar": ["2021", "2022"], "aanvragen": ["<10", "x"]}
        ),
        maat="aanvragen",
        titel="t",
        ylabel="y",
    )
    ax = fig.axes[0]
    assert report.data_source()["kort"] in ax.get_title()
    marks = sorted(t.get_text() for t in ax.texts)
    assert marks == ["<10", "x"], marks  # suppressed and hidden cells marked distinctly
    assert "<10: minder dan 10" in ax.get_xlabel() and "x: extra afgeschermd" in ax.get_xlabel()


@pytest.mark.built_site
def test_the_summary_chart_image_names_its_data_source(site):
    svg = (site / "_static" / "reeks_v3.svg") if (site / "_static" / "reeks_v3.svg").is_file() else None
    if svg is None:
        svg = next(site.rglob("reeks_v3*.svg"))
    text = svg.read_text(encoding="utf-8")
    assert "synthetische gegevens" in text or "extract van de IND" in text


# ------------------------------------------------------------------- words


@pytest.mark.built_site
def test_begrippen_has_the_terms_the_pages_use(site):
    text = _edition_text(site, "book/begrippen.html")
    for term in (
        "processchets",
        "informatieblad",
        "Shapley-verdeling",
        "waterval",
        "extract",
        "uitvoering",
        "bewindspersonenoverleg",
        "conceptnota",
        "tekens in de tabellen",
    ):
        assert term in text, term
    assert "Twee documenten dragen deze naam" in text
    assert '"APM kon conform het standaard proces de cijfers verklaren."' in text.replace("“", '"').replace("”", '"')
