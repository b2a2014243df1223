"""The built site: every chapter, an offline check of internal links, editions, no sources.

Runs on `_build/html` as `make book` left it (make test builds it first).
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"

pytestmark = pytest.mark.built_site  # reads _build/html as `make book` left it

CHAPTERS = [
    "index",
    "proces",
    "methode",
    "voorbeelden",
    "gegevens",
    "kalibratie",
    "iteraties/v0",
    "iteraties/v1",
    "iteraties/v2",
    "iteraties/v3",
    "verschillen",
    "verschillen/v0_v1",
    "verschillen/v1_v2",
    "verschillen/v2_v3",
    "verschillen/v1_v3",
    "vergelijking",
    "beveiliging",
    "reproduceren",
    "prestaties",
    "begrippen",
    "bronnen",
    "versies",
    "english",
]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.imgs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "img", "script", "source"):
                self.links.append(a[key])
        if tag == "img":
            self.imgs.append(a)


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail("no site in _build/html: run `make book` first")
    return SITE.resolve()


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_chapter_is_built_with_content(site):
    for ch in CHAPTERS:
        page = site / "book" / f"{ch}.html"
        assert page.is_file(), ch
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        assert len(text.split()) > 150, f"{ch} looks empty"


def test_internal_links_and_images_resolve_offline(site):
    broken = []
    for page in _pages(site):
        if page.parent.name == "_static":  # theme template fragments, not pages
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "//", "data:", "mailto:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link}")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:30])


def test_images_have_alt_text(site):
    missing = []
    for page in _pages(site):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for img in parser.imgs:
            if not (img.get("alt") or "").strip() and "logo" not in (img.get("class") or ""):
                missing.append(f"{page.relative_to(site)}: {img.get('src')}")
    assert not missing, "\n".join(missing[:20])


def test_no_page_sources_and_no_launch_buttons(site):
    assert not (site / "_sources").exists()
    for page in _pages(site):
        html = page.read_text(encoding="utf-8").lower()
        # the theme's scripts mention binder in their defaults; a launch *button* is what matters
        for word in ("launch-buttons", "colab.research.google", "jupyterhub-button", "binder-button"):
            assert word not in html, f"{page.name}: {word}"
    nb = site / "book" / "iteraties" / "v3.html"
    assert "_notebooks/book/iteraties/v3.ipynb" in nb.read_text(encoding="utf-8")
    assert (site / "_notebooks" / "book" / "iteraties" / "v3.ipynb").is_file()


def test_editions_are_archived_with_manifest_and_switcher(site):
    for ed in ("v0", "v1", "v2"):
        root = site / "edities" / ed
        assert (root / "index.html").is_file(), ed
        assert (root / "manifest.sha256").is_file(), ed
        ed_pages = list((root / "book" / "iteraties").glob("*.html"))
        names = sorted(p.stem for p in ed_pages)
        # an edition holds exactly the iterations known at its date
        assert names == [f"v{i}" for i in range(int(ed[1]) + 1)], (ed, names)
    home = (site / "book" / "index.html").read_text(encoding="utf-8")
    assert 'class="editie-switcher"' in home and "edities/v2/index.html" in home


def test_figures_pages_say_the_data_are_synthetic(site):
    for ch in ("index", "iteraties/v3", "verschillen/v1_v3", "vergelijking", "kalibratie"):
        text = (site / "book" / f"{ch}.html").read_text(encoding="utf-8").lower()
        assert "synthetisch" in text, ch


def test_iteration_pages_link_their_downloads(site):
    for it in ("v0", "v1", "v2", "v3"):
        html = (site / "book" / "iteraties" / f"{it}.html").read_text(encoding="utf-8")
        assert f"{it}_tabel.csv" in html and f"{it}_tabel.xlsx" in html
        assert list(site.glob(f"_downloads/*/{it}_tabel.xlsx"))
