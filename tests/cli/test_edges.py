"""The analyst's path at its edges (issue 22): extracts written the way Excel and case
systems write them, and an `--out` that must never cost the analyst a file.

Every refusal here is checked for its exit status (2), for a message that says why and what
to do, and for what it must leave untouched.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import cli_fork
from conftest import REPO, gestapeld_command, write_csv, zaak

# --------------------------------------------------------------------------- helpers


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, GESTAPELD_CACHE=str(cache), **extra)
    env.pop("GESTAPELD_DEBUG", None)
    env.pop("GESTAPELD_DATA", None)
    return env


def _cli(*args: object, env: dict[str, str], cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess:
    return cli_fork.run(args, cwd=cwd, env=env, timeout=timeout, errors="strict")  # its own process (cli_fork.py)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


ROWS = [
    zaak("Z1", "A", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
    zaak("Z2", "B", "nareis", "2018-07-01", "2019-01-15", "inwilliging", referent_id="A"),
    zaak("Z3", "B", "asiel", "2019-03-01", "2019-09-01", "inwilliging"),
    zaak("Z4", "C", "nareis", "2020-02-01", "2020-08-01", "inwilliging", referent_id="B"),
]


# --------------------------------------------------------------------------- --out


@pytest.fixture
def extract(tmp_path) -> Path:
    return write_csv(tmp_path / "export" / "zaken.csv", ROWS)


def test_out_with_unrelated_files_is_refused_and_files_stay(tmp_path, extract):
    out = tmp_path / "rapport"
    (out / "oud").mkdir(parents=True)
    (out / "notities.txt").write_text("mijn aantekeningen\n")
    (out / "oud" / "rapport.docx").write_bytes(b"PK\x03\x04 not really a docx")
    before = _snapshot(out)
    proc = _cli("book", "--data", extract, "--out", out, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "not a site built by gestapeld" in proc.stderr and "notities.txt" in proc.stderr
    assert "new or empty folder" in proc.stderr  # what to do
    assert _snapshot(out) == before
    assert not list((tmp_path / "cache").glob("werk-*")), "refused before a workspace was made"


def test_out_on_the_extracts_folder_is_refused_and_the_extract_stays(tmp_path, extract):
    before = extract.read_bytes()
    proc = _cli("book", "--data", extract, "--out", extract.parent, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "contains the extract" in proc.stderr
    assert extract.read_bytes() == before
    # an ancestor of the extract's folder too
    proc = _cli("book", "--data", extract, "--out", tmp_path, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2 and "contains the extract" in proc.stderr
    assert extract.read_bytes() == before


def test_out_on_the_checkouts_parent_is_refused(tmp_path, extract):
    parent = tmp_path / "projecten"
    checkout = parent / "gestapeld"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(checkout)], check=True)
    before = subprocess.run(["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True).stdout
    env = _env(tmp_path / "cache", GESTAPELD_ROOT=str(checkout))
    proc = _cli("book", "--data", extract, "--out", parent, env=env, cwd=checkout)
    assert proc.returncode == 2, proc.stderr
    assert "contains the repository" in proc.stderr
    after = subprocess.run(["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True).stdout
    assert after == before and (checkout / "README.md").is_file()


def test_out_on_home_or_cache_is_refused(tmp_path, extract):
    home = tmp_path / "thuis" / "analist"
    home.mkdir(parents=True)
    (home / "brief.txt").write_text("x")
    env = _env(tmp_path / "thuis" / "analist" / ".cache" / "gestapeld", HOME=str(home))
    proc = _cli("book", "--data", extract, "--out", home, env=env)
    assert proc.returncode == 2 and "is the home directory" in proc.stderr, proc.stderr
    proc = _cli("book", "--data", extract, "--out", home.parent, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "contains" in proc.stderr and "the home directory" in proc.stderr.split("contains", 1)[1]
    proc = _cli("book", "--data", extract, "--out", home / ".cache", env=env)
    assert proc.returncode == 2 and "contains the private cache" in proc.stderr
    assert (home / "brief.txt").read_text() == "x"


def test_out_that_is_a_file_is_refused(tmp_path, extract):
    out = tmp_path / "site.html"
    out.write_text("<p>mine</p>")
    proc = _cli("book", "--data", extract, "--out", out, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2 and "is a file" in proc.stderr
    assert out.read_text() == "<p>mine</p>"


def _fake_site(folder: Path, text: str) -> Path:
    """A site as `publish` leaves it: pages, the marker, then the manifest over everything."""
    from gestapeld.publication import publish, workspace

    (folder / "edities" / "v1").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "edities" / "v1" / "index.html").write_text(text + " v1")
    publish.manifest(folder / "edities" / "v1")
    workspace.mark(folder)
    publish.manifest(folder)
    return folder


def test_deliver_replaces_only_a_previous_site(tmp_path):
    from gestapeld.config import ConfigError
    from gestapeld.publication import workspace

    new = _fake_site(tmp_path / "build" / "new", "nieuw")
    protected = {"the extract": tmp_path / "extract.csv"}
    # absent, then empty: written
    assert workspace.deliver(new, tmp_path / "site", protected=protected)
    (tmp_path / "empty").mkdir()
    assert workspace.deliver(new, tmp_path / "empty", protected=protected)
    assert _snapshot(tmp_path / "empty") == _snapshot(new)
    # a previous site: replaced as a whole, nothing left of the old one
    old = _fake_site(tmp_path / "vorige", "oud")
    (old / "edities" / "v1" / "weg.html").write_text("listed, so ours")
    from gestapeld.publication import publish

    publish.manifest(old)
    assert workspace.deliver(new, old, protected=protected)
    assert _snapshot(old) == _snapshot(new)
    assert not list(tmp_path.glob(".vorige*")), "no staging folder left behind"
    # the same site again: nothing to do
    assert workspace.deliver(new, old, protected=protected) is False
    # a previous site with a file someone added: refused, file kept
    (old / "mijn-notitie.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="mijn-notitie.txt"):
        workspace.deliver(new, old, protected=protected)
    assert (old / "mijn-notitie.txt").read_text() == "keep me"
    # a folder that only looks like a site (a manifest, no marker): refused
    look = tmp_path / "lookalike"
    look.mkdir()
    (look / "index.html").write_text("x")
    publish.manifest(look)
    with pytest.raises(ConfigError, match="not a site built by gestapeld"):
        workspace.deliver(new, look, protected=protected)
    assert (look / "index.html").read_text() == "x"


# --------------------------------------------------------------------------- extracts as exported


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> list[dict[str, str]]:
    """A small synthetic extract (with registratiedatum and the optional columns) as rows of text."""
    import csv

    tmp = tmp_path_factory.mktemp("synth")
    path = tmp / "x.csv"
    subprocess.run(
        [*gestapeld_command(), "synth", "--out", str(path), "--scale", "0.005", "--seed", "3", "--quiet"],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}-{iso[5:7]}-{iso[:4]}" if iso else ""


DATES = ("aanvraagdatum", "registratiedatum", "besluitdatum")


def _excel_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    names: dict[str, str] | None = None,
    date=_dmy,
    above: str = "",
    extra: dict[str, str] | None = None,
) -> Path:
    """Rows as Dutch Excel saves 'CSV UTF-8': BOM, semicolons, CRLF, dd-mm-jjjj; `names`
    renames header cells (as typed by people), `above` goes before the header, `extra`
    adds columns the schema does not know."""
    cols = list(rows[0])
    head = [(names or {}).get(c, c) for c in cols] + list(extra or {})
    lines = [";".join(head)]
    for r in rows:
        lines.append(";".join([date(r[c]) if c in DATES else r[c] for c in cols] + list((extra or {}).values())))
    path.write_bytes(b"\xef\xbb\xbf" + (above + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def _tables(data: Path, out: Path, env: dict[str, str], *extra: str) -> tuple[dict[str, bytes], str]:
    proc = _cli("tables", "--data", data, "--out", out, "--intern", *extra, env=env)
    assert proc.returncode == 0, proc.stderr
    files = {name: (out / name).read_bytes() for name in ("tabel.csv", "tabel_intern.csv", "diepte_intern.csv")}
    return files, proc.stderr


@pytest.fixture(scope="module")
def lower_case(synth, tmp_path_factory) -> tuple[dict[str, bytes], dict[str, str], Path]:
    """The tables of the extract with lower-case headers: what every variant must give."""
    tmp = tmp_path_factory.mktemp("lower")
    env = _env(tmp / "cache")
    files, _ = _tables(_excel_csv(tmp / "lower.csv", synth), tmp / "out", env)
    return files, env, tmp


CAPITALISED = {
    "zaak_id": " Zaak_ID ",
    "persoon_id": "PERSOON_ID",
    "referent_id": "Referent_Id",
    "procedure": "Procedure ",
    "aanvraagdatum": "AanvraagDatum",
    "besluitdatum": "BesluitDatum",
    "besluit": "Besluit",
    "registratiedatum": "RegistratieDatum",
    "nationaliteit": "Nationaliteit",
    "geboortejaar": "GeboorteJaar",
    "relatie": "  Relatie",
}


@pytest.mark.slow  # tables of a synthetic extract, every edition protected
def test_capitalised_and_padded_headers_give_the_same_tables(synth, lower_case, tmp_path):
    expected, env, _ = lower_case
    data = _excel_csv(tmp_path / "Export.csv", synth, names=CAPITALISED)
    files, stderr = _tables(data, tmp_path / "out", env)
    assert files == expected  # byte for byte
    assert "warning" not in stderr  # every column was recognised
    # the optional registratiedatum matters for these numbers: dropping it changes them, so
    # the equality above shows that the capitalised column was read, not ignored
    without = [{k: v for k, v in r.items() if k != "registratiedatum"} for r in synth]
    other, _ = _tables(_excel_csv(tmp_path / "zonder.csv", without), tmp_path / "out2", env)
    assert other["tabel_intern.csv"] != expected["tabel_intern.csv"]


@pytest.mark.slow  # tables of a synthetic extract, every edition protected
def test_unknown_columns_are_named_in_a_warning(synth, lower_case, tmp_path):
    expected, env, _ = lower_case
    data = _excel_csv(tmp_path / "x.csv", synth, extra={"Behandelaar": "", " opmerking ": "zie dossier"})
    proc = _cli("validate", data, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "warning: ignored columns: Behandelaar, opmerking" in proc.stderr
    files, stderr = _tables(data, tmp_path / "out", env)
    assert "ignored columns: Behandelaar, opmerking" in stderr  # again from the kept validation
    assert files == expected
    assert "zie dossier" not in proc.stderr + stderr  # names of columns, never a value


def test_missing_required_column_names_the_nearest_header(synth, tmp_path):
    data = _excel_csv(tmp_path / "x.csv", synth, names={"zaak_id": "Zaaknummer ID", "besluit": "Besluitcode"})
    proc = _cli("validate", data, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "column 'besluit': required column is missing; the nearest header found is 'Besluitcode'" in proc.stderr
    assert "column 'zaak_id': required column is missing" in proc.stderr
    # exactly one missing_column line per missing column, none for the columns that are there
    assert proc.stderr.count("missing_column") == 2


def test_same_column_twice_in_other_case_is_refused(synth, tmp_path):
    data = _excel_csv(tmp_path / "x.csv", synth, extra={"Zaak_ID": "1"})
    proc = _cli("validate", data, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2 and "duplicate_column" in proc.stderr and "zaak_id" in proc.stderr


@pytest.mark.slow  # tables of a synthetic extract, every edition protected
@pytest.mark.parametrize("above", ["\r\n", "   \r\n", ";;;;;;\r\n\r\n"], ids=["empty", "spaces", "separators"])
def test_empty_lines_above_the_header_are_skipped(synth, lower_case, tmp_path, above):
    expected, env, _ = lower_case
    data = _excel_csv(tmp_path / "x.csv", synth, above=above)
    files, stderr = _tables(data, tmp_path / "out", env)
    assert files == expected
    n = above.count("\n")
    assert f"skipped {n} empty line{'s' if n > 1 else ''} above the header" in stderr


def test_a_title_line_above_the_header_is_named(synth, tmp_path):
    data = _excel_csv(tmp_path / "x.csv", synth, above="Export zaaksysteem IND 15-01-2024\r\n\r\n")
    proc = _cli("validate", data, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "line 1 is not the header" in proc.stderr and "the header is on line 3" in proc.stderr
    assert "Delete the lines above the header" in proc.stderr
    assert "duplicate_column" not in proc.stderr and "Export zaaksysteem" not in proc.stderr


@pytest.mark.parametrize(
    "date",
    [
        lambda d: f"{_dmy(d)} 00:00:00" if d else "",
        lambda d: f"{d} 00:00:00" if d else "",
        lambda d: f"{d}T00:00" if d else "",
    ],
    ids=["dmy-time", "iso-time", "iso-T"],
)
@pytest.mark.slow  # tables of a synthetic extract, every edition protected
def test_datetimes_at_midnight_are_that_date(synth, lower_case, tmp_path, date):
    expected, env, _ = lower_case
    files, _ = _tables(_excel_csv(tmp_path / "x.csv", synth, date=date), tmp_path / "out", env)
    assert files == expected


def test_datetimes_with_another_time_are_refused_with_their_rows(synth, tmp_path):
    rows = [dict(r) for r in synth]
    for i in (4, 9):  # data rows 5 and 10
        rows[i]["besluitdatum"] = rows[i]["besluitdatum"] or rows[i]["aanvraagdatum"]
        rows[i]["besluit"] = rows[i]["besluit"] or "afwijzing"
    marked = {4, 9}
    path = tmp_path / "x.csv"
    _excel_csv(path, rows, date=lambda d: f"{_dmy(d)} 00:00:00" if d else "")
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    cols = lines[0].split(";")
    b = cols.index("besluitdatum")
    for i in marked:
        f = lines[i + 1].split(";")
        f[b] = f[b].replace("00:00:00", "14:30:00")
        lines[i + 1] = ";".join(f)
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
    proc = _cli("validate", path, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "rule 'time_in_date', column 'besluitdatum'" in proc.stderr and "2 rows; rows 5, 10" in proc.stderr
    assert "14:30" not in proc.stderr and "unparseable_date" not in proc.stderr


# --------------------------------------------------------------------------- Excel workbooks


def _workbook(
    path: Path,
    rows: list[dict[str, str]],
    *,
    sheets: tuple[str, ...] = ("Blad1",),
    data_sheet: str = "Blad1",
    time: dict[int, str] | None = None,
) -> Path:
    """A workbook as Excel writes one: dates as date cells (text dates in every tenth row,
    as people paste them), numbers as numbers, the header in row 1 of `data_sheet`."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in sheets:
        ws = wb.create_sheet(name)
        if name != data_sheet:
            ws.append(["Toelichting bij de export"])
            continue
        cols = list(rows[0])
        ws.append(cols)
        for n, r in enumerate(rows):
            out = []
            for c in cols:
                v = r[c]
                if c in DATES and v:
                    d = dt.datetime.fromisoformat(v)
                    if time and n in time and c == "besluitdatum":
                        d = dt.datetime.fromisoformat(f"{v} {time[n]}")
                    out.append(_dmy(v) if n % 10 == 0 else d)
                elif c == "geboortejaar" and v:
                    out.append(int(v))
                else:
                    out.append(v or None)
            ws.append(out)
        for cell in ws["E"][1:]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd-mm-yyyy"
    wb.save(path)
    return path


@pytest.mark.slow  # tables of a synthetic extract, every edition protected
def test_xlsx_gives_the_same_tables_as_the_csv(synth, lower_case, tmp_path):
    expected, env, _ = lower_case
    files, stderr = _tables(_workbook(tmp_path / "export.xlsx", synth), tmp_path / "out", env)
    assert files == expected
    assert "warning" not in stderr
    # a named sheet (the first one holds notes)
    book = _workbook(tmp_path / "twee.xlsx", synth, sheets=("Toelichting", "Zaken"), data_sheet="Zaken")
    files, _ = _tables(book, tmp_path / "out2", env, "--sheet", "Zaken")
    assert files == expected
    proc = _cli("validate", book, "--sheet", "Blad9", env=env)
    assert proc.returncode == 2 and "no sheet 'Blad9'" in proc.stderr and "Toelichting, Zaken" in proc.stderr
    proc = _cli("validate", book, env=env)  # the first sheet is not the extract: says what to do
    assert proc.returncode == 2 and "missing_column" in proc.stderr


def test_xlsx_errors_give_excel_row_numbers_and_times_are_refused(synth, tmp_path):
    rows = [dict(r) for r in synth[:50]]
    rows[6]["procedure"] = "asielaanvraag"  # Excel row 8 (header in row 1)
    env = _env(tmp_path / "cache")
    proc = _cli("validate", _workbook(tmp_path / "a.xlsx", rows), env=env)
    assert proc.returncode == 2, proc.stderr
    assert "rule 'unknown_procedure', column 'procedure'" in proc.stderr and "1 row; rows 8" in proc.stderr
    assert "row numbers Excel shows" in proc.stderr and "asielaanvraag" not in proc.stderr
    rows = [dict(r) for r in synth[:50]]
    decided = [i for i, r in enumerate(rows) if r["besluitdatum"] and i % 10][:2]
    proc = _cli("validate", _workbook(tmp_path / "b.xlsx", rows, time={i: "09:15:00" for i in decided}), env=env)
    assert proc.returncode == 2, proc.stderr
    assert "rule 'time_in_date', column 'besluitdatum'" in proc.stderr
    assert f"rows {decided[0] + 2}, {decided[1] + 2}" in proc.stderr
    midnight = _workbook(tmp_path / "c.xlsx", rows, time={i: "00:00:00" for i in decided})
    assert _cli("validate", midnight, env=env).returncode == 0


def test_old_excel_and_other_files_say_how_to_convert(tmp_path):
    xls = tmp_path / "export.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    proc = _cli("validate", xls, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2 and "save it as .xlsx" in proc.stderr


# --------------------------------------------------------------------------- labels


def test_the_synthetic_claims_scan_finds_what_it_must(tmp_path):
    """The scan that the real-format builds run (test_real_extract): it finds the sentences
    the pages and the information sheet used to carry on every build, in any edition, and
    leaves alone the glossary entry and "no IND figures are public for this request"."""
    import json

    import typst

    from site_claims import synthetic_claims

    site = tmp_path / "site"
    pages = {
        "book/proces.html": "<p>Een reconstructie. <strong>De aantallen op deze site zijn synthetisch</strong>: "
        "ze laten zien wat elke methode berekent.</p>",
        "edities/v1/book/versies.html": "<p>Ze laten zien wat deze code berekent, standaard op synthetische "
        "gegevens. Het zijn niet de stukken van de IND.</p>",
        "edities/v2/book/index.html": "<footer>Standaardcijfers komen uit een synthetisch extract.</footer>",
        "book/english.html": "<p>These are <b>not IND figures</b>.</p>",
        # allowed: the glossary entry, and a sentence about the IND's (absent) figures
        "book/begrippen.html": "<dl><dt>synthetische gegevens<a href='#x'>¶</a></dt><dd><p>Een nagebootst "
        "extract. De standaardcijfers komen hieruit; het zijn geen cijfers van de IND.</p></dd></dl>",
        "book/iteraties/v0.html": "<p>Bij deze cijfervraag zijn geen cijfers van de IND openbaar.</p>",
    }
    for rel, body in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(f"<html><body>{body}</body></html>")
    sheet = tmp_path / "blad.typ"
    sheet.write_text("#set document(date: none)\nDe aantallen op dit blad zijn synthetisch.\n")
    (site / "edities" / "v0" / "informatieblad").mkdir(parents=True)
    (site / "edities" / "v0" / "informatieblad" / "informatieblad.pdf").write_bytes(typst.compile(str(sheet)))
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["De aantallen op deze pagina komen uit een synthetisch extract"]},
            {"cell_type": "code", "source": ["report.is_synthetic()"]},
        ]
    }
    (site / "_downloads").mkdir()
    (site / "_downloads" / "v3.ipynb").write_text(json.dumps(nb))
    (site / "_downloads" / "v3_code.ipynb").write_text(json.dumps({"cells": [nb["cells"][1]]}))

    found = {f.split(":", 1)[0] for f in synthetic_claims(site)}
    assert found == {
        "book/proces.html",
        "edities/v1/book/versies.html",
        "edities/v2/book/index.html",
        "book/english.html",
        "edities/v0/informatieblad/informatieblad.pdf",
        "_downloads/v3.ipynb",
    }


def test_labels_follow_the_data_source():
    """The texts that used to call every build's figures synthetic come from publish.labels:
    synthetic on the default, the extract on a real build, on every page that uses them."""
    from gestapeld.publication import publish

    synthetic = publish.labels({"bron": "synthetisch", "sha256": "ab" * 32, "peildatum": "2024-01-15"})
    real = publish.labels({"bron": "extract", "sha256": "cd" * 32, "peildatum": "2024-01-15"})
    assert set(synthetic) == set(real)
    for key in ("proces_aantallen", "versies_gegevens", "gegevens_standaard"):
        assert "synthet" in synthetic[key].lower()
        assert "extract van de IND" in real[key]
        assert "synthetisch" not in real[key].lower().replace("gegevens-synthetisch", "")  # a link target may stay
        assert "geen cijfers van de IND" not in real[key]
    for page, key in (
        ("proces", "proces_aantallen"),
        ("versies", "versies_gegevens"),
        ("gegevens", "gegevens_standaard"),
    ):
        assert "{{ " + key + " }}" in (REPO / "book" / f"{page}.md").read_text(encoding="utf-8")


def test_data_source_names_the_synthetic_default_or_the_given_extract(tmp_path, monkeypatch):
    """report.data_source, which every label of a build reads: the default is synthetic and
    says it is not the IND's; an extract given (GESTAPELD_DATA, set by the runner) is named as
    the IND's with its sha256 and never called synthetic. A small file stands in for both."""
    from gestapeld import config
    from gestapeld.publication import report

    data = write_csv(tmp_path / "zaken.csv", ROWS)
    monkeypatch.setenv("GESTAPELD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(config, "default_data_path", lambda: data)
    monkeypatch.delenv("GESTAPELD_DATA", raising=False)
    default = report.data_source()
    assert default["bron"] == "synthetisch"
    assert "geen gegevens van de IND" in default["label"] and "synthet" in default["kort"]
    assert "not IND data" in default["label_en"]
    monkeypatch.setenv("GESTAPELD_DATA", str(data))
    real = report.data_source()
    assert real["bron"] == "extract" and real["sha256"] == default["sha256"]
    assert "extract van de IND" in real["label"] and real["sha256"][:12] in real["label"]
    assert "synthet" not in (real["label"] + real["kort"] + real["label_en"]).lower()


# --------------------------------------------------------------------------- Ctrl-C


@pytest.mark.slow
def test_ctrl_c_stops_a_build_and_leaves_site_and_notebooks_as_they_were(tmp_path, real_site):
    """SIGINT to `gestapeld book` while its notebooks run: it stops (kernels killed, exit
    130), the previous site and the workspace's executed notebooks are as they were. The
    previous build is the session's shared site (conftest `real_site`: a Dutch Excel CSV,
    built in a clone with a private cache); the rebuild runs on copies of its site and cache."""
    import shutil
    import signal
    import threading
    import time

    assert "executed into the private workspace" in real_site.stderr and "into book/" not in real_site.stderr
    extract, root = real_site.extract, real_site.root
    cache, out = tmp_path / "cache", tmp_path / "site"
    shutil.copytree(real_site.cache, cache, symlinks=True)
    shutil.copytree(real_site.site, out, symlinks=True)
    env = _env(cache, GESTAPELD_ROOT=str(root), SOURCE_DATE_EPOCH="1708041600")
    site_before = _snapshot(out)
    assert site_before == _snapshot(real_site.site)
    (work,) = [p for p in cache.glob("werk-*") if p.is_dir()]  # beside it: the checker report
    notebooks_before = {p: p.read_bytes() for p in sorted((work / "book").rglob("*.ipynb"))}
    assert len(notebooks_before) >= 10

    proc = subprocess.Popen(
        [*gestapeld_command(), "book", "--data", str(extract), "--out", str(out), "--no-editions", "--force"],
        cwd=root,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        # as a shell starts it: SIGINT at its default, whatever this test process inherited
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            if "done (" in line:  # a notebook finished: kernels are running
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert started.wait(600), "".join(lines)
    time.sleep(1)
    status = Path(f"/proc/{proc.pid}/status")
    masks = [line for line in status.read_text().splitlines() if line.startswith("Sig")] if status.exists() else []
    lines.append(f"(test: SIGINT sent; the process's signal masks: {' '.join(masks)})\n")
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(timeout=60)  # generous: the issue asks for 2 s, measured in the note
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the build did not stop within 60 s of SIGINT:\n" + "".join(lines)) from None
    reader.join(5)
    text = "".join(lines)
    assert code == 130, text
    assert "interrupted" in text and "Traceback" not in text
    assert _snapshot(out) == site_before
    assert {p: p.read_bytes() for p in sorted((work / "book").rglob("*.ipynb"))} == notebooks_before
    assert not [p for p in (work / "book").glob(".run-*") if p.is_dir()], "the run's staging folder is removed"


def test_a_refused_extract_leaves_nothing_in_the_cache(tmp_path):
    bad = write_csv(tmp_path / "x.csv", [*ROWS, zaak("Z1", "D", "asiel", "2020-01-01")])  # Z1 twice
    cache = tmp_path / "cache"
    proc = _cli("book", "--data", bad, "--out", tmp_path / "site", env=_env(cache))
    assert proc.returncode == 2 and "duplicate_zaak_id" in proc.stderr
    left = sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*")) if cache.exists() else []
    assert left == [], left
    assert not (tmp_path / "site").exists()


@pytest.mark.slow  # tables of a synthetic extract, every edition protected
def test_xlsx_values_right_of_the_header_are_named_not_dropped_in_silence(synth, lower_case, tmp_path):
    """A note typed in a cell right of the last column has no header: warned, numbers the same."""
    import openpyxl

    expected, env, _ = lower_case
    book = _workbook(tmp_path / "export.xlsx", synth)
    wb = openpyxl.load_workbook(book)
    wb.active.cell(row=9, column=len(synth[0]) + 2, value="nagekeken")
    wb.save(book)
    files, stderr = _tables(book, tmp_path / "out", env)
    assert "warning: ignored columns: 2 columns right of the header, without a name" in stderr
    assert files == expected and "nagekeken" not in stderr
