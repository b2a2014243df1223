"""Released like official statistics (issue 26).

* every CSV download of every edition has a W3C CSVW metadata file, validated with the `csvw`
  library (the rows are read against the declared datatypes), naming the data source; the
  XLSX carries the same notes; every edition's `datapackage.json` is validated with
  `frictionless` (sizes and sha256 of every file included) and lists every download;
* `feed.xml` is Atom 1.0 (feedparser and the RFC 4287 required elements) with one entry per
  edition; `edities.json` lists every edition with the sha256 of each archived edition's
  manifest;
* every page of an archived edition carries the banner "Dit is niet de nieuwste editie" whose
  link leads to an existing page of the current edition; in Chromium the banner is followed;
* the revision policy page names each edition's changes.

Runs on `_build/html` as `make book` left it (make test builds it first), or on the site
GESTAPELD_TEST_SITE points at (a private build; GESTAPELD_TEST_EXTRACT names its extract). `check_release_metadata` is also run on the
real-extract builds of tests/publication/test_real_extract.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import test_browser
from release_checks import check_release_metadata, edition_roots, editions, release_yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GESTAPELD_TEST_SITE") or ROOT / "_build" / "html")
ATOM = "{http://www.w3.org/2005/Atom}"
browser = test_browser.browser  # its session fixture: Chromium from PATH, offline, never downloaded
BANNER = "Dit is niet de nieuwste editie"
#: The extract a private site was built from (`gestapeld book --data PATH`); unset: the default build.
EXTRACT = os.environ.get("GESTAPELD_TEST_EXTRACT")


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no site in {SITE}: build it first (`make book`)")
    return SITE


@pytest.mark.built_site
def test_csvw_and_datapackage_of_every_edition_validate(site):
    check_release_metadata(
        site, real_sha256=hashlib.sha256(Path(EXTRACT).read_bytes()).hexdigest() if EXTRACT else None
    )


@pytest.mark.built_site
def test_validators_reject_a_changed_download(site, tmp_path):
    """The kept libraries do fail: an unpublishable value (7) in a copy of a CSV."""
    from csvw import CSVW
    from frictionless import validate

    (csv,) = site.glob("_downloads/*/v3_tabel.csv")
    copy = tmp_path / "ed"
    (copy / csv.parent.name).mkdir(parents=True)
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[1] = ",".join([*lines[1].split(",")[:3], "7"])
    (copy / csv.parent.name / csv.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    side = csv.with_name(csv.name + "-metadata.json")
    (copy / csv.parent.name / side.name).write_bytes(side.read_bytes())
    assert not CSVW(str(copy / csv.parent.name / side.name), validate=True, strict=True).is_valid
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"] = [r for r in package["resources"] if r["path"].endswith("/v3_tabel.csv")]
    package["resources"][0]["path"] = f"{csv.parent.name}/{csv.name}"
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    errors = {e.type for t in validate(str(copy / "datapackage.json")).tasks for e in t.errors}
    assert {"constraint-error", "hash-count"} <= errors


@pytest.mark.built_site
def test_feed_is_atom_and_lists_every_edition(site):
    import feedparser

    data = (site / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
    root = ET.fromstring(data)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):  # RFC 4287 4.1.1
        assert root.find(f"{ATOM}{tag}") is not None, tag
    entries = root.findall(f"{ATOM}entry")
    ids = editions()
    assert len(entries) == len(ids)
    seen = []
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):  # RFC 4287 4.1.2
            assert (entry.findtext(f"{ATOM}{tag}") or "").strip(), tag
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert (site / link).is_file(), link
        seen.append(re.search(r"/(v\w+)$", entry.findtext(f"{ATOM}id")).group(1))
    assert seen == list(reversed(ids))  # newest first, every edition once
    for page in (site / "book" / "iteraties" / "v1.html", site / "edities" / ids[0] / "book" / "proces.html"):
        html = page.read_text(encoding="utf-8")  # autodiscovery: every page links the feed
        href = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html).group(1)
        assert (page.parent / href).resolve() == (site / "feed.xml").resolve(), href
        dp = re.search(r'<link rel="describedby" type="application/json" href="([^"]+)"', html).group(1)
        assert (page.parent / dp).is_file() and dp.endswith("datapackage.json")
    dates = release_yaml()["edities"]
    for entry, e in zip(entries, seen):
        assert entry.findtext(f"{ATOM}published") == f"{dates[e]['datum']}T00:00:00Z"


@pytest.mark.built_site
def test_edities_json_lists_every_edition_with_the_digest_of_archived_ones(site):
    doc = json.loads((site / "edities.json").read_text(encoding="utf-8"))
    y = release_yaml()
    ids = editions()
    assert [e["id"] for e in doc["edities"]] == ids and doc["actueel"] == ids[-1]
    for e in doc["edities"]:
        assert e["datum"] == str(y["edities"][e["id"]]["datum"]) and e["status"] == y["edities"][e["id"]]["status"]
        assert e["verandering"] and (site / e["pad"]).is_file()
        if e["id"] == ids[-1]:  # the site digest: sha256 of the top manifest (issue 23's digest.py)
            top = site / "manifest.sha256"
            assert e["digest"]["waarde"] == hashlib.sha256(top.read_bytes()).hexdigest() and e["digest_toelichting"]
        else:
            manifest = site / "edities" / e["id"] / "manifest.sha256"
            assert e["digest"]["waarde"] == hashlib.sha256(manifest.read_bytes()).hexdigest()
    # the numbers that moved come with a reason for every edition after the first
    for e in doc["edities"][1:]:
        assert e["redenen"] and {m["maat"] for m in e["veranderde_cijfers"]} == {"aanvragen", "inwilligingen"}
    top = (site / "manifest.sha256").read_text(encoding="utf-8")
    assert "  edities.json\n" in top and "  feed.xml\n" in top


def _html_pages(root: Path) -> list[Path]:
    """The Sphinx pages of one edition (not the redirect stub index.html of Jupyter Book)."""
    skip = ("_static", "_downloads", "_notebooks", "_images", "edities", "informatieblad")
    pages = [p for p in sorted(root.rglob("*.html")) if not set(p.relative_to(root).parts) & set(skip)]
    return [p for p in pages if not p.read_text(encoding="utf-8").startswith('<meta http-equiv="Refresh"')]


@pytest.mark.built_site
def test_every_archived_page_has_a_banner_to_an_existing_current_page(site):
    for page in _html_pages(site):
        assert BANNER not in page.read_text(encoding="utf-8"), f"banner on current page {page.relative_to(site)}"
    for e in editions()[:-1]:
        root = site / "edities" / e
        pages = _html_pages(root)
        assert len(pages) > 10
        same = 0
        for page in pages:
            text = page.read_text(encoding="utf-8")
            assert BANNER in text, f"no banner on {page.relative_to(site)}"
            href = re.search(r'<a class="editie-banner-link" href="([^"]+)"', text).group(1)
            target = (page.parent / href).resolve()
            assert target.is_file() and site.resolve() in target.parents or target.parent == site.resolve()
            assert "edities" not in target.relative_to(site.resolve()).parts, href
            rel = page.relative_to(root)
            if (site / rel).is_file():
                assert target == (site / rel).resolve(), f"{page.relative_to(site)} -> {href}"
                same += 1
            else:
                assert target == (site / "index.html").resolve(), f"{page.relative_to(site)} -> {href}"
        assert same >= len(pages) - 1  # only the edition's own landing page has no twin


@pytest.mark.built_site
def test_revision_policy_names_each_editions_changes(site):
    y = release_yaml()
    ids = editions()
    doc = {e["id"]: e for e in json.loads((site / "edities.json").read_text(encoding="utf-8"))["edities"]}
    for edition, root in edition_roots(site).items():
        html = (root / "book" / "herzieningen.html").read_text(encoding="utf-8")
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        assert "Hoe een fout wordt hersteld" in text and "correctie-editie" in text
        upto = ids[: ids.index(edition) + 1]
        for e in upto:
            assert f"Editie {e}: {y['iterations'][e]['titel']}" in text, (edition, e)
            assert y["edities"][e]["status"] in text
        for e in ids[ids.index(edition) + 1 :]:
            assert f"Editie {e}:" not in text, f"edition {edition} names the later edition {e}"
        for a, b in zip(upto, upto[1:]):  # the numbers that moved, as the reconciliation gave them
            for m in doc[b]["veranderde_cijfers"]:
                row = re.search(
                    rf"<tr[^>]*>\s*<td[^>]*><p>{m['maat']}</p>.*?</tr>", html[html.index(f"Editie {b}:") :], re.S
                )
                assert row, (edition, b, m["maat"])
                cells = [
                    re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
                ]
                expected = [m["van"]["aantal"], *m["effecten"].values(), m["naar"]["aantal"]]
                assert cells[1:] == [str(v).replace(",", ".") for v in expected], (edition, b, cells)


@pytest.fixture(scope="module")
def served(site):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
@pytest.mark.built_site
def test_browser_follows_the_banner_to_the_current_edition(served, browser):
    """An archived page in Chromium: the banner is there, its link leads to the same page in
    the current edition, which has no banner; the archived landing page leads to the current one."""
    archived = editions()[1]
    ctx = test_browser.new_context(browser, served)
    try:
        page = ctx.new_page()
        page.goto(served + f"edities/{archived}/book/iteraties/{archived}.html")
        banner = page.get_by_role("note", name="Oudere editie")
        assert BANNER in banner.inner_text()
        with page.expect_navigation():
            banner.get_by_role("link").click()
        assert page.url == served + f"book/iteraties/{archived}.html"
        assert page.locator(".editie-banner").count() == 0
        assert page.get_by_role("heading", level=1).count() == 1
        page.goto(served + f"edities/{archived}/index.html")
        with page.expect_navigation():
            page.get_by_role("note", name="Oudere editie").get_by_role("link").click()
        assert page.url in (served, served + "index.html", served + "book/index.html")
        assert page.locator(".editie-banner").count() == 0
    finally:
        ctx.close()


def test_a_site_without_archived_editions_lists_only_the_current_one(tmp_path):
    """`publish --no-editions` builds only the current edition: edities.json and the feed
    list what the site holds instead of failing on an archived manifest that is not there."""
    import shutil

    from gestapeld import config
    from gestapeld.publication import feed

    repo_book = Path(__file__).resolve().parents[2] / "book"
    for root in (tmp_path, tmp_path / "edities" / "v1"):  # the executed reconciliations a site ships
        shutil.copytree(repo_book / "verschillen", root / "_notebooks" / "book" / "verschillen")
    (tmp_path / "manifest.sha256").write_text("")
    ids = [e["id"] for e in feed.editions(tmp_path)]
    assert ids == [list(config.iterations())[-1]]
    (tmp_path / "edities" / "v1" / "manifest.sha256").write_text("x  y\n")
    assert [e["id"] for e in feed.editions(tmp_path)] == ["v1", ids[0]]
