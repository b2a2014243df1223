"""`gestapeld book --data PATH --out DIR` on extracts shaped like real exports.

Two extracts, derived from the synthetic generator at small scales and rewritten into the
formats an IND analyst receives, with identifiers that look nothing like the synthetic
ones (canaries: if one shows up anywhere in the site, an identifier leaked):

* a Dutch Excel CSV: semicolons, BOM, dd-mm-jjjj dates, CRLF line ends, the optional
  columns, zaak/persoon ids like 'CANARY-Z-000123' (a few thousand rows): the site the
  session shares (conftest `real_site`, tests/real_format.py), which test_verify and the
  Ctrl-C test use too;
* a Parquet file with integer identifiers (large distinctive numbers), about 150,000 rows.

Each build runs in a clone of the repository (GESTAPELD_ROOT), with its own cache folder
(GESTAPELD_CACHE), so the test can check that the clone's tracked files stay untouched.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

import real_format
from real_format import INT_BASE, dutch_csv, int_parquet

pytestmark = pytest.mark.slow

CANARY_TEXT = "CANARY-"


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _pdf_text(data: bytes) -> str:
    """The text of a PDF (pypdf), plus its raw and inflated streams (paths, metadata)."""
    import io
    import zlib

    parts = [data.decode("latin-1")]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            pass
    try:
        from pypdf import PdfReader
    except ImportError:  # pinned by the information sheet's requirements; raw text still checked
        return "\n".join(parts)
    return "\n".join([*parts, *(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)])


#: Pages that show figures or name the data source; none may call the figures synthetic.
#: (The Gegevens page describes the generator, Bronnen, Begrippen, Prestaties and
#: Reproduceren explain it: they may say "synthetisch".)
FIGURE_PAGES = re.compile(
    r"^(edities/[^/]+/)?book/(index|english|vergelijking|verschillen|kalibratie|overzicht|"
    r"iteraties/.*|verschillen/.*|_edities/.*)\.html$"
)


#: Every identifier of either extract matches this (and nothing else on a site should).
IDENTIFIER = re.compile(r"CANARY-[ZP]-\d{6}|" + str(INT_BASE)[:7] + r"\d{6}")


def _check_site(site: Path, identifiers: set[str], secret_paths: list[str]) -> None:
    files = _files(site)
    assert "index.html" in files and "manifest.sha256" in files
    assert all(IDENTIFIER.fullmatch(i) for i in identifiers)  # the pattern covers every identifier
    for name, data in files.items():
        text = _pdf_text(data) if name.endswith(".pdf") else data.decode("utf-8", errors="replace")
        assert CANARY_TEXT not in text, f"identifier in {name}"
        if name.endswith(".pdf"):  # the information sheets name the data source too
            assert "synthet" not in text.lower(), f"{name} calls the figures synthetic"
        assert IDENTIFIER.search(text) is None, f"identifier in {name}"
        for secret in secret_paths:
            assert secret not in text, f"absolute path in {name}"
        if name.endswith(".html"):
            body = text
            if FIGURE_PAGES.match(name) or "informatieblad/" in name:
                assert "synthet" not in body.lower(), f"{name} calls the figures synthetic"
            assert "synthetisch extract, niet uit gegevens" not in body, f"synthetic footer in {name}"
            # the theme's strings in Dutch on every page of every edition (a fresh clone made
            # Sphinx recompile its catalog while another edition's build read it: English pages)
            if not name.startswith("_static/"):
                assert "Skip to main content" not in body and "Back to top" not in body, f"English theme in {name}"
    index = files["book/index.html"].decode()
    assert "extract van de IND" in index
    # issue 22: no page, caption, footer, PDF or download of any edition calls the figures synthetic
    from site_claims import synthetic_claims

    claims = synthetic_claims(site)
    assert not claims, "the site calls its figures synthetic:\n" + "\n".join(claims[:20])


def _check_build(built: real_format.RealSite, work: Path) -> None:
    """What a `book --data` build (real_format.RealSite) must have given; `work`: a folder
    for this check's own outputs."""
    root, cache, extract, out = built.root, built.cache, built.extract, built.site
    work.mkdir(parents=True, exist_ok=True)
    assert "Traceback" not in built.stderr and "IPKernelApp" not in built.stderr, built.stderr[-3000:]
    assert built.status_after == built.status_before, f"the build changed the repository:\n{built.status_after}"
    _check_site(out, set(built.identifiers), [str(built.tmp), str(work), str(extract), str(Path.home())])
    # issue 26/22: every CSVW file and datapackage.json validates and names this extract and its sha256
    from release_checks import check_release_metadata

    check_release_metadata(out, real_sha256=hashlib.sha256(extract.read_bytes()).hexdigest())

    # the v3 download is what `gestapeld tables` publishes on the same extract
    tables = work / "tables"
    proc_t = real_format.gestapeld(
        root, cache, "tables", "--data", str(extract), "--out", str(tables), "--iteration", "v3"
    )
    assert proc_t.returncode == 0, proc_t.stderr
    download = sorted(out.rglob("v3_tabel.csv"))
    assert download, "no v3 download in the site"
    expected = pd.read_csv(tables / "tabel.csv", dtype=str)
    for d in download:
        pd.testing.assert_frame_equal(pd.read_csv(d, dtype=str), expected)

    # a reviewer without the extract: manifests and one recorded sha256
    proc_v = real_format.gestapeld(root, cache, "verify", "--build", str(out))
    assert proc_v.returncode == 0, proc_v.stderr
    sha = hashlib.sha256(extract.read_bytes()).hexdigest()
    assert sha in proc_v.stderr


def test_small_dutch_excel_csv(real_site, tmp_path):
    """The shared site (conftest `real_site`): a Dutch Excel CSV of a few thousand rows."""
    extract = real_site.extract
    raw = extract.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b";" in raw.split(b"\r\n")[0]
    assert 1000 < raw.count(b"\r\n") - 1 < 10000
    _check_build(real_site, tmp_path)
    # same extract and code: nothing re-executed, the same bytes
    first = _files(real_site.site)
    out2 = tmp_path / "site2"
    proc2 = real_format.gestapeld(real_site.root, real_site.cache, "book", "--data", str(extract), "--out", str(out2))
    assert proc2.returncode == 0, proc2.stderr[-3000:]
    assert "nothing re-executed" in proc2.stderr
    assert _files(out2) == first


def test_large_parquet_integer_ids(tmp_path):
    df = real_format.synth_frame(tmp_path, 0.27)
    assert 120_000 < len(df) < 200_000
    extract = tmp_path / "extract.parquet"
    ids = int_parquet(df, extract)
    _check_build(real_format.build_site(tmp_path, extract, ids), tmp_path / "checks")


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> tuple[Path, set[str]]:
    tmp = tmp_path_factory.mktemp("klein")
    extract = tmp / "klein.csv"
    return extract, dutch_csv(real_format.synth_frame(tmp, 0.003), extract)


def test_failed_run_leaves_every_file_of_book_unchanged(tmp_path, small_csv):
    """The last notebook fails after the others succeeded: nothing in book/ changes, and
    the message (true now) says so without a value of the extract."""
    import json

    extract, _ = small_csv
    root = real_format.clone(tmp_path / "repo")
    tpl = root / "notebooks" / "overzicht.ipynb"
    nb = json.loads(tpl.read_text())
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "boom",
            "metadata": {},
            "outputs": [],
            "source": "raise RuntimeError('CANARY-Z-999999')",
        }
    )
    tpl.write_text(json.dumps(nb))
    before = {p: p.read_bytes() for p in (root / "book").rglob("*") if p.is_file()}
    proc = real_format.gestapeld(root, tmp_path / "cache", "run", "--iteration", "v0", "--data", str(extract))
    assert proc.returncode == 1
    assert "overzicht failed in cell" in proc.stderr and "earlier executed notebooks are unchanged" in proc.stderr
    assert "done" in proc.stderr  # the other notebooks of the run did finish
    assert "CANARY" not in proc.stderr and "IPKernelApp" not in proc.stderr and "Traceback" not in proc.stderr
    after = {p: p.read_bytes() for p in (root / "book").rglob("*") if p.is_file()}
    assert after == before


def test_publish_refuses_notebooks_of_two_extracts_and_names_them(tmp_path):
    import json

    root = real_format.clone(tmp_path / "repo")
    nb_path = root / "book" / "iteraties" / "v1.ipynb"
    nb = json.loads(nb_path.read_text())
    assert nb["metadata"]["gestapeld"]["data"]["bron"] == "synthetisch"
    nb["metadata"]["gestapeld"]["data"] = {"bron": "extract", "sha256": "ab" * 32}
    nb_path.write_text(json.dumps(nb))
    proc = real_format.gestapeld(root, tmp_path / "cache", "publish", "--no-editions")
    assert proc.returncode == 1
    assert "do not all come from one extract" in proc.stderr
    assert "extract sha256 abababababab: iteraties/v1" in proc.stderr
    assert not (root / "_build" / "html").exists()


def test_publish_without_data_on_extract_notebooks_says_what_to_do(tmp_path):
    """Notebooks executed on an extract, `publish` without --data: exit 2 and the way out
    (no loop back to `gestapeld run`, no silent use of the synthetic default)."""
    import json

    root = real_format.clone(tmp_path / "repo")
    for nb_path in (root / "book").rglob("*.ipynb"):
        nb = json.loads(nb_path.read_text())
        nb["metadata"]["gestapeld"]["data"] = {"bron": "extract", "sha256": "cd" * 32}
        nb_path.write_text(json.dumps(nb))
    proc = real_format.gestapeld(root, tmp_path / "cache", "publish", "--no-editions")
    assert proc.returncode == 2, proc.stderr
    assert "gestapeld publish --data PATH" in proc.stderr and "internal error" not in proc.stderr
