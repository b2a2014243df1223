"""Fast checks of what `gestapeld verify` and `publish` rely on, without building a site:

* the publish refusal of notebooks executed on two different extracts (publish.one_extract),
  fed with the recorded sources of two real files;
* the site digest (digest.py): the top manifest lists the edition manifests, a changed file
  fails the announced digest even with every manifest line rewritten, and the normalisation
  of the digest to its placeholder cannot be abused (swapping the digest for zeros fails);
* the comparison of a page and a CSV download (sitecompare.py) names table, row, column and
  both values.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gestapeld.publication import checks, digest, publish, runner, sitecompare, verify

# ----------------------------------------------------------------- publish: one extract only


def _two_extracts(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "extract_a.csv"
    b = tmp_path / "extract_b.csv"
    a.write_text("zaak_id,persoon_id\n1,1\n")
    b.write_text("zaak_id,persoon_id\n1,2\n")
    return a, b


@pytest.mark.parametrize("given", ["none", "first", "second"])
def test_publish_refuses_notebooks_of_two_extracts_naming_both(tmp_path, monkeypatch, given):
    """Half of the notebooks were executed on extract A, half on extract B (as the runner
    records them): publishing must stop and name both extracts and their notebooks, whatever
    extract is given (none, A or B)."""
    a, b = _two_extracts(tmp_path)
    rec_a, rec_b = runner.data_source_record(a), runner.data_source_record(b)
    assert rec_a["sha256"] != rec_b["sha256"] and rec_a["bron"] == rec_b["bron"] == "extract"
    sources = {"iteraties/v0": rec_a, "iteraties/v1": rec_a, "iteraties/v2": rec_b, "iteraties/v3": rec_b}
    monkeypatch.setattr(publish, "notebook_sources", lambda: sources)
    data = {"none": None, "first": a, "second": b}[given]
    with pytest.raises(checks.CheckFailed) as err:
        publish.one_extract(data)
    text = str(err.value)
    assert "do not all come from one extract" in text
    assert f"extract sha256 {rec_a['sha256'][:12]}: iteraties/v0, iteraties/v1" in text
    assert f"extract sha256 {rec_b['sha256'][:12]}: iteraties/v2, iteraties/v3" in text


def test_publish_accepts_notebooks_of_one_extract(tmp_path, monkeypatch):
    a, _ = _two_extracts(tmp_path)
    rec = runner.data_source_record(a)
    monkeypatch.setattr(publish, "notebook_sources", lambda: {"iteraties/v0": rec, "iteraties/v1": rec})
    assert publish.one_extract(a) == {"bron": "extract", "sha256": rec["sha256"]}


def test_publish_refuses_notebooks_that_record_no_extract(tmp_path, monkeypatch):
    """Notebooks that record no data source cannot be checked against any extract: publishing
    stops and names them, as one group (issue 27: the `== "?"` half of the check)."""
    a, _ = _two_extracts(tmp_path)
    monkeypatch.setattr(publish, "notebook_sources", lambda: {"iteraties/v0": {}, "iteraties/v1": {}})
    for data in (None, a):
        with pytest.raises(checks.CheckFailed) as err:
            publish.one_extract(data)
        assert "no recorded extract: iteraties/v0, iteraties/v1" in str(err.value)


# ----------------------------------------------------------------- the site digest


def _site(tmp_path: Path) -> Path:
    """A site-shaped folder: a page and a CSV at the top, an archived edition with its own
    manifest; the pages show the digest as its placeholder, as the build writes them."""
    site = tmp_path / "site"
    (site / "book").mkdir(parents=True)
    (site / "book" / "versies.html").write_text(f"<p>site digest <b>{digest.PLACEHOLDER}</b></p>\n")
    (site / "tabel.csv").write_text("categorie,jaar,maat,aantal\nalle,2021,aanvragen,120\n")
    ed = site / "edities" / "v2"
    (ed / "book").mkdir(parents=True)
    (ed / "book" / "v2.html").write_text(f"<td>40</td> site {digest.PLACEHOLDER}\n")
    (ed / "v2_tabel.csv").write_text("categorie,jaar,maat,aantal\nalle,2021,aanvragen,40\n")
    publish.manifest(ed)
    publish.manifest(site)
    return site


def _rewrite(site: Path, manifest: Path, rel: str, shown: str) -> None:
    """An attacker's update of one manifest line to the changed file (hashed as verify does)."""
    base = manifest.parent
    new = digest.text_hash((base / rel).read_bytes(), shown)
    lines = [f"{new}  {rel}" if line.endswith("  " + rel) else line for line in manifest.read_text().splitlines()]
    manifest.write_text("\n".join(lines) + "\n")


def test_top_manifest_lists_every_file_and_the_edition_manifests(tmp_path):
    site = _site(tmp_path)
    listed = [line.split("  ", 1)[1] for line in (site / "manifest.sha256").read_text().splitlines()]
    assert listed == sorted(listed)
    assert set(listed) == {
        "book/versies.html",
        "tabel.csv",
        "edities/v2/book/v2.html",
        "edities/v2/v2_tabel.csv",
        "edities/v2/manifest.sha256",
    }


def test_stamped_site_passes_its_digest_and_shows_it(tmp_path):
    site = _site(tmp_path)
    announced = digest.stamp(site)
    assert announced == hashlib.sha256((site / "manifest.sha256").read_bytes()).hexdigest()
    assert announced == digest.site_digest(site)
    assert announced in (site / "book" / "versies.html").read_text()
    assert announced in (site / "edities" / "v2" / "book" / "v2.html").read_text()
    assert digest.PLACEHOLDER not in (site / "book" / "versies.html").read_text()
    assert verify.check_digest(site, announced) == []


def test_an_edition_file_changed_with_both_manifests_rewritten_fails_the_digest(tmp_path):
    site = _site(tmp_path)
    announced = digest.stamp(site)
    csv = site / "edities" / "v2" / "v2_tabel.csv"
    csv.write_text(csv.read_text().replace(",40\n", ",50\n"))
    _rewrite(site, site / "edities" / "v2" / "manifest.sha256", "v2_tabel.csv", announced)
    _rewrite(site, site / "manifest.sha256", "edities/v2/v2_tabel.csv", announced)
    _rewrite(site, site / "manifest.sha256", "edities/v2/manifest.sha256", announced)
    assert verify.check_manifests(site, digest=announced)[1] == []  # every line agrees with its file now
    problems = verify.check_digest(site, announced)
    assert problems and f"not to the announced digest {announced}" in problems[0]


def test_swapping_the_digest_for_its_placeholder_fails(tmp_path):
    """The placeholder is what the manifest hashes; a file that shows zeros instead of the
    digest normalises to the same bytes, and must still fail (the reverse check)."""
    site = _site(tmp_path)
    announced = digest.stamp(site)
    page = site / "book" / "versies.html"
    page.write_text(page.read_text().replace(announced, digest.PLACEHOLDER))
    problems = verify.check_digest(site, announced)
    assert any(p.startswith("book/versies.html:") for p in problems), problems


def test_a_malformed_digest_is_refused(tmp_path):
    site = _site(tmp_path)
    digest.stamp(site)
    with pytest.raises(verify.ConfigError):
        verify.check_digest(site, "abc")


# ----------------------------------------------------------------- naming the numbers


PAGE = """<h2>Uitkomsten</h2><table class="dataframe"><thead>
<tr><th></th><th></th><th>aanvragen</th><th>inwilligingen</th></tr>
<tr><th>vorm</th><th>jaar</th><th></th><th></th></tr></thead><tbody>
<tr><th rowspan="2">nareis op nareis</th><th>2020</th><td>{a}</td><td>&lt;10</td></tr>
<tr><th>2021</th><td>30</td><td>{b}</td></tr></tbody></table>
<p>In totaal {c} aanvragen.</p>"""


def test_a_page_difference_names_table_row_column_and_both_values():
    published = PAGE.format(a=20, b=10, c=60)
    recomputed = PAGE.format(a=20, b=20, c=70)
    found = sitecompare.html_differences("book/iteraties/v3.html", published, recomputed)
    texts = [f.text() for f in found]
    assert (
        "book/iteraties/v3.html: table 1 under 'Uitkomsten', row 'nareis op nareis / 2021', column "
        "'inwilligingen': published '10', recomputed '20'" in texts
    ), texts
    assert any("number in the text" in t and "published '60'" in t and "recomputed '70'" in t for t in texts), texts
    assert len(found) == 2


def test_a_csv_difference_names_line_row_and_column():
    published = "categorie,jaar,maat,aantal\nalle,2021,aanvragen,120\nalle,2021,lopend,<10\n"
    recomputed = "categorie,jaar,maat,aantal\nalle,2021,aanvragen,110\nalle,2021,lopend,<10\n"
    [f] = sitecompare.csv_differences("_downloads/x/v3_tabel.csv", published, recomputed)
    assert f.text() == (
        "_downloads/x/v3_tabel.csv: line 2 (alle, 2021, aanvragen), column 'aantal': published '120', recomputed '110'"
    )


def test_identical_sites_differ_only_in_their_digest(tmp_path):
    a = _site(tmp_path / "a")
    b = _site(tmp_path / "b")
    da = digest.stamp(a)
    (b / "tabel.csv").write_text("categorie,jaar,maat,aantal\nalle,2021,aanvragen,130\n")
    publish.manifest(b)
    db = digest.stamp(b)
    assert da != db
    same, found = sitecompare.compare_sites(a, b, digests={da, db})
    files = {f.file for f in found}
    assert files == {"tabel.csv", "manifest.sha256"}, [f.text() for f in found]
    assert any("published '120', recomputed '130'" in f.text() for f in found)


def test_the_refusal_test_catches_the_check_switched_off(tmp_path, monkeypatch):
    """The one-line change of issue 23 (`len(by_source) != 1` -> `not by_source`), applied at
    runtime: the refusal test above must then fail (publish goes on with two extracts)."""
    import inspect
    import textwrap

    src = textwrap.dedent(inspect.getsource(publish.one_extract))
    assert "len(by_source) != 1" in src, "one_extract was rewritten: update this mutant"
    namespace = dict(vars(publish))
    exec(compile(src.replace("len(by_source) != 1", "not by_source"), publish.__file__, "exec"), namespace)
    monkeypatch.setattr(publish, "one_extract", namespace["one_extract"])
    for given in ("none", "first", "second"):
        try:  # a failing test raises AssertionError, or pytest's Failed (a BaseException), or lets an error out
            test_publish_refuses_notebooks_of_two_extracts_naming_both(tmp_path, monkeypatch, given)
        except BaseException as err:  # noqa: BLE001
            assert not isinstance(err, checks.CheckFailed)
        else:
            raise AssertionError(f"the refusal test passed with the check switched off (extract given: {given})")
