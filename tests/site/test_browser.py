"""The built site in a real browser (GitHub issue 7): errors, links, accessibility, keyboard,
small screens and search.

Debian's Chromium (`chromium` on PATH, or $GESTAPELD_CHROMIUM; `make test` installs it when
missing) runs headless through Python playwright with `executable_path` (never `playwright
install`, which downloads a browser). axe-core comes inside the pinned PyPI package
`axe-playwright-python` (its `axe.min.js`), so no npm. The site in
`_build/html` is served on 127.0.0.1 by an `http.server` thread on a free port. Requests to
any other host are blocked: the site must work offline (the one known exception, MathJax
from a CDN, is listed in THIRD_PARTY_ALLOWED).

One crawl (session fixture) visits every page of the current edition once, starting from
`index.html` and following same-origin links; the tests below check what it recorded.
A missing site, Chromium, playwright or axe-core is a failure, not a skip.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
#: Other hosts a page may ask for. MathJax renders the formula on book/prestaties.md; Sphinx also
#: loads it on the landing page (its table of contents includes that page). Offline it fails to
#: load, which is then not counted as a console error. Remove this when the formula is plain text.
THIRD_PARTY_ALLOWED: set[str] = set()  # the site loads nothing from other hosts
#: Pages of the current edition that are not reached through links but are part of it.
SEEDS = ("search.html",)
#: Not pages of the current edition: archived editions and theme template fragments.
NOT_CRAWLED = ("edities/", "_static/", "_images/", "_downloads/", "_notebooks/")
SEARCHES = [
    ("peildatum", "book/methode.html"),
    ("beveiliging", "book/beveiliging.html"),
    ("afronding", "book/beveiliging.html"),
]

pytestmark = [pytest.mark.slow, pytest.mark.built_site]


# ------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no site in {SITE}: build it first (`make book` or `.venv/bin/gestapeld publish`)")
    return SITE  # served through the symlink, so a publish during the tests swaps the whole site at once


@pytest.fixture(scope="session")
def base(site: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


#: One Playwright and one Chromium per test process, shared by every module that uses the
#: fixture (test_release takes it over): a second sync Playwright in the same process fails
#: ("Sync API inside the asyncio loop"). Closed when the last user is done.
_SHARED: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not _SHARED["users"]:
        chromium = os.environ.get("GESTAPELD_CHROMIUM") or shutil.which("chromium")
        if not chromium:
            pytest.fail(
                "chromium not found: `make test` installs Debian's chromium (the tests never download a browser)"
            )
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as err:  # pragma: no cover - requirements.txt pins playwright
            pytest.fail(f"Python playwright is not installed ({err}); `make install`")
        pw = sync_playwright().start()
        try:
            _SHARED["browser"] = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        except Exception:
            pw.stop()
            raise
        _SHARED["playwright"] = pw
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if not _SHARED["users"]:
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    try:  # axe-core's own axe.min.js, shipped in the wheel of axe-playwright-python (pinned)
        from axe_playwright_python.sync_playwright import Axe
    except ImportError as err:
        pytest.fail(f"axe-playwright-python is not installed ({err}); `make install`")
    source = Axe().axe_script
    assert "axe v4." in source[:200], "not axe-core 4.x"
    return source


def new_context(browser, base: str, *, viewport=DESKTOP, blocked: list | None = None):
    """A fresh profile (no stored theme or scroll position) that cannot reach the network."""
    ctx = browser.new_context(
        viewport=viewport,
        locale="nl-NL",
        timezone_id="UTC",
        color_scheme="light",
        reduced_motion="reduce",
        service_workers="block",
    )

    def refuse(route):
        if blocked is not None:
            blocked.append(route.request.url)
        route.abort()

    ctx.route(lambda url: not url.startswith(base) and not url.startswith("data:"), refuse)
    ctx.set_default_timeout(20_000)
    return ctx


# ------------------------------------------------------------------- the crawl


@dataclasses.dataclass
class Visit:
    path: str
    errors: list[str] = dataclasses.field(default_factory=list)  # console errors, page errors, failed loads
    serious: list[str] = dataclasses.field(default_factory=list)  # axe violations, serious or critical
    other_axe: list[str] = dataclasses.field(default_factory=list)
    refs: set[str] = dataclasses.field(default_factory=set)  # same-origin URLs without #fragment
    broken_images: list[str] = dataclasses.field(default_factory=list)
    overflow: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)  # width -> (scrollWidth, innerWidth)
    tables: dict[int, dict] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Crawl:
    base: str
    visits: dict[str, Visit]
    third_party: list[str]
    seconds: float


REFS_JS = """() => {
  const out = [];
  const push = v => { if (v) out.push(v); };
  for (const el of document.querySelectorAll('a[href], link[href], area[href]')) push(el.href);
  for (const el of document.querySelectorAll('img[src], script[src], source[src], iframe[src], embed[src], video[src], audio[src]')) push(el.src);
  for (const el of document.querySelectorAll('object[data]')) push(el.data);
  for (const el of document.querySelectorAll('video[poster]')) push(el.poster);
  for (const el of document.querySelectorAll('img[srcset], source[srcset]'))
    for (const part of el.srcset.split(',')) { const u = part.trim().split(/\\s+/)[0]; if (u) push(new URL(u, document.baseURI).href); }
  return out;
}"""

PAGES_JS = """() => [...document.querySelectorAll('a[href], link[rel~="index"][href], link[rel~="search"][href], '
  + 'link[rel~="next"][href], link[rel~="prev"][href]')].map(e => e.href)"""

IMAGES_JS = (
    """() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.currentSrc || i.src)"""
)

TABLES_JS = """() => {
  const scrollBox = t => { for (let a = t.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX; if (ox === 'auto' || ox === 'scroll') return a; } return null; };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '');
  const res = {wide: 0, bad: []};
  for (const t of document.querySelectorAll('main table, article table')) {
    const r = t.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;          // not shown (folded away)
    const box = scrollBox(t);
    const room = box ? box.clientWidth : t.parentElement.clientWidth;
    if (r.width <= room + 1 && r.right <= innerWidth + 1) continue;   // fits: nothing to check
    res.wide += 1;
    const caption = (t.caption ? t.caption.textContent : '').trim().slice(0, 50);
    if (!box) res.bad.push(`${name(t)} "${caption}" is ${Math.round(r.width)} px wide with no scrolling wrapper`);
    else if (box.getBoundingClientRect().right > innerWidth + 1)
      res.bad.push(`${name(t)} "${caption}": its scroll box ${name(box)} itself extends past the window`);
  }
  return res;
}"""


def _path(base: str, url: str) -> str:
    return urldefrag(url)[0][len(base) :]


def _is_page(base: str, url: str) -> bool:
    if not url.startswith(base):
        return False
    path = urlsplit(url).path[1:]
    return (path.endswith(".html") or path.endswith("/") or path == "") and not path.startswith(NOT_CRAWLED)


def _settle(page) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@pytest.fixture(scope="session")
def crawl(browser, base, axe_source) -> Crawl:
    t0 = time.monotonic()
    third_party: list[str] = []
    ctx = new_context(browser, base, blocked=third_party)
    page = ctx.new_page()
    current: dict[str, Visit | None] = {"v": None}

    def note(text: str) -> None:
        if current["v"] is not None:
            current["v"].errors.append(text)

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and urlsplit(where).hostname in THIRD_PARTY_ALLOWED:
            return  # blocked on purpose (offline); see THIRD_PARTY_ALLOWED
        note(f"console error: {msg.text} ({where})")

    page.on("console", on_console)
    page.on("pageerror", lambda err: note(f"page error: {err}"))
    page.on(
        "response",
        lambda r: note(f"HTTP {r.status} for {r.url}") if r.url.startswith(base) and r.status >= 400 else None,
    )

    # index.html is the redirect Jupyter Book writes to the landing page; what goes wrong on this
    # first visit (empty browser storage) counts for the landing page
    visits: dict[str, Visit] = {"book/index.html": Visit("book/index.html")}
    current["v"] = visits["book/index.html"]
    page.goto(base + "index.html")
    page.wait_for_url(base + "book/index.html")
    page.wait_for_load_state("load")
    queue = [base + "book/index.html", *(base + s for s in SEEDS)]
    done: set[str] = set()
    while queue:
        url = urldefrag(queue.pop(0))[0]
        path = _path(base, url)
        if path in done or path in ("", "index.html"):  # the redirect was visited above
            continue
        done.add(path)
        visit = visits.setdefault(path, Visit(path))
        current["v"] = visit  # console messages count for this page until the next one loads
        page.set_viewport_size(DESKTOP)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            visit.errors.append(f"HTTP {response.status if response else '?'} for the page itself")
            continue
        if page.url != url:
            visit.errors.append(f"the page redirects to {page.url}")
            continue
        _settle(page)
        for link in page.evaluate(PAGES_JS):
            if _is_page(base, link) and _path(base, link) not in done:
                queue.append(link)
        visit.refs = {urldefrag(u)[0] for u in page.evaluate(REFS_JS) if u.startswith(base)}
        visit.broken_images = page.evaluate(IMAGES_JS)
        page.add_script_tag(content=axe_source)
        # preload: false, because axe-core 4.12's stylesheet preload resolves a CSS @import against the
        # page instead of the stylesheet (theme.css imports "../basic.css"): a 404 the site does not cause
        violations = page.evaluate(
            "async () => (await axe.run(document, {preload: false, resultTypes: ['violations']})).violations"
        )
        # the theme follows the system's colour scheme: check the contrast of the dark one too
        page.emulate_media(color_scheme="dark")
        _settle(page)
        dark = page.evaluate(
            "async () => (await axe.run(document, {preload: false, runOnly: ['color-contrast'], "
            "resultTypes: ['violations']})).violations"
        )
        page.emulate_media(color_scheme="light")
        for v in violations + [dict(v, id=v["id"] + " [donker]") for v in dark]:
            targets = "; ".join(
                " ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in v["nodes"][:3]
            )
            line = f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']} -- {targets}"
            (visit.serious if v["impact"] in ("serious", "critical") else visit.other_axe).append(line)
        for vp in (DESKTOP, PHONE):
            page.set_viewport_size(vp)
            _settle(page)
            visit.overflow[vp["width"]] = tuple(
                page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
            )
            visit.tables[vp["width"]] = page.evaluate(TABLES_JS)
    ctx.close()
    return Crawl(base, visits, third_party, time.monotonic() - t0)


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}:\n  " + "\n  ".join(lines) for page, lines in sorted(problems.items()) if lines)


# ------------------------------------------------------------------- tests


def test_crawl_reaches_every_page_of_the_current_edition(crawl, site):
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    expected = {p for p in on_disk if not p.startswith(NOT_CRAWLED) and p != "index.html"}
    missing = sorted(expected - set(crawl.visits))
    assert not missing, f"pages of the current edition no link leads to: {missing}"
    assert {
        "book/index.html",
        "book/methode.html",
        "book/iteraties/v3.html",
        "search.html",
        "informatieblad/index.html",
    } <= set(crawl.visits)


def test_pages_load_without_console_errors(crawl):
    problems = {p: v.errors for p, v in crawl.visits.items()}
    assert not any(problems.values()), "console errors or failed loads:\n" + _report(problems)


def test_no_requests_to_other_hosts_except_the_known_ones(crawl):
    hosts = {urlsplit(u).hostname for u in crawl.third_party}
    unexpected = sorted(u for u in crawl.third_party if urlsplit(u).hostname not in THIRD_PARTY_ALLOWED)
    assert not unexpected, f"the site asks other hosts for: {unexpected} (all hosts asked: {sorted(hosts)})"


def test_internal_links_and_images_resolve(crawl):
    refs: dict[str, set[str]] = {}
    for page, visit in crawl.visits.items():
        for url in visit.refs:
            refs.setdefault(url, set()).add(page)
    broken = {}
    for url in sorted(refs):
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                status = r.status
        except urllib.error.HTTPError as err:
            status = err.code
        if status != 200:
            broken[_path(crawl.base, url)] = f"HTTP {status}, linked from {sorted(refs[url])[:3]}"
    assert len(refs) > 2 * len(crawl.visits), f"only {len(refs)} distinct internal URLs: the crawl found too little"
    assert any("/_downloads/" in u for u in refs), "no download links found (iteration tables)"
    assert any(u.endswith("informatieblad/informatieblad.pdf") for u in refs), "no link to the informatieblad PDF"
    assert not broken, "broken internal links:\n" + "\n".join(f"  {k}: {v}" for k, v in broken.items())
    images = {p: v.broken_images for p, v in crawl.visits.items()}
    assert not any(images.values()), "images that did not load:\n" + _report(images)


def test_axe_finds_no_serious_or_critical_violations(crawl):
    problems = {p: v.serious for p, v in crawl.visits.items()}
    assert not any(problems.values()), "axe-core violations (serious or critical):\n" + _report(problems)


@pytest.mark.parametrize("width", [PHONE["width"], DESKTOP["width"]])
def test_no_horizontal_scrolling_and_wide_tables_scroll_in_their_box(crawl, width):
    measured = {p: v for p, v in crawl.visits.items() if width in v.overflow}  # pages that did not load fail elsewhere
    sideways = {
        p: [f"document is {v.overflow[width][0]} px wide in a {v.overflow[width][1]} px window"]
        for p, v in measured.items()
        if v.overflow[width][0] > v.overflow[width][1] + 1
    }
    assert not sideways, f"horizontal scrolling at {width} px:\n" + _report(sideways)
    tables = {p: v.tables[width]["bad"] for p, v in measured.items()}
    assert not any(tables.values()), f"wide tables at {width} px:\n" + _report(tables)
    if width == PHONE["width"]:  # the check is not vacuous: the iteration tables are wider than a phone
        assert crawl.visits["book/iteraties/v3.html"].tables[width]["wide"] > 0


def _tab_until(page, predicate: str, limit: int = 300) -> list[dict]:
    """Press Tab until `predicate(info)` holds for the focused element; returns what was focused."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const el = document.activeElement;
            return {href: el && el.href ? el.getAttribute('href') : null, abs: el && el.href ? el.href : null,
                    text: el ? (el.textContent || '').trim().slice(0, 60) : '',
                    area: !el ? null : el.closest('nav.editie-switcher') ? 'editie' : el.closest('nav.bd-docs-nav') ? 'nav' : null}; }""")
        seen.append(info)
        if page.evaluate(f"info => ({predicate})(info)", info):
            return seen
    raise AssertionError(
        f"Tab never reached the element ({predicate}); focused: {[s['text'] or s['href'] for s in seen[-15:]]}"
    )


def test_keyboard_reaches_navigation_and_switches_edition(browser, base):
    ctx = new_context(browser, base)
    page = ctx.new_page()
    try:
        page.goto(base + "book/index.html")
        switcher = page.eval_on_selector_all("nav.editie-switcher ul a", "els => els.map(e => e.href)")
        assert len(switcher) >= 2, "the edition switcher lists fewer than two editions"
        seen = _tab_until(page, "i => i.area === 'editie' && i.abs === " + repr(switcher[-1]))
        edition_links = {s["abs"] for s in seen if s["area"] == "editie" and s["abs"]}
        assert set(switcher) <= edition_links, f"edition links Tab did not reach: {set(switcher) - edition_links}"
        for _ in range(3):  # the chapter navigation follows the switcher in the sidebar
            seen += _tab_until(page, "i => i.area === 'nav' && !!i.abs", limit=100)
        nav_links = {s["abs"] for s in seen if s["area"] == "nav" and s["abs"]}
        assert len(nav_links) >= 3, f"Tab reached only {len(nav_links)} navigation links"

        # Enter on the link to the previous edition (keyboard only), then back to the current one
        page.goto(base + "book/index.html")
        target = switcher[1]
        _tab_until(page, "i => i.abs === " + repr(target))
        page.keyboard.press("Enter")
        page.wait_for_url("**/edities/**")
        page.wait_for_load_state("load")
        edition = page.text_content("nav.editie-switcher .editie-kop strong").strip()
        assert f"/edities/{edition}/" in page.url, (edition, page.url)
        assert page.get_attribute("nav.editie-switcher a[aria-current='page']", "href") is not None
        back = page.eval_on_selector_all("nav.editie-switcher ul a", "els => els.map(e => e.href)")[0]
        _tab_until(page, "i => i.abs === " + repr(back))
        page.keyboard.press("Enter")
        page.wait_for_url(base + "book/index.html")
        assert "/edities/" not in page.url
    finally:
        ctx.close()


@pytest.mark.parametrize("word,expected", SEARCHES)
def test_search_finds_chapter_by_dutch_word(browser, base, word, expected):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ctx = new_context(browser, base)
    page = ctx.new_page()
    try:
        page.goto(f"{base}search.html?q={word}")
        try:  # results arrive one by one; search.html is at the root, so hrefs are root-relative paths
            page.wait_for_selector(f'#search-results ul.search li a[href="{expected}"]', timeout=20_000)
        except PlaywrightTimeout:
            pass
        hits = [
            _path(base, h)
            for h in page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
        ]
        assert expected in hits, f"search for {word!r} found {hits}"
    finally:
        ctx.close()
