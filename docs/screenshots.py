"""The README's screenshots: the landing page and iteration v3, desktop and phone size.

    .venv/bin/python docs/screenshots.py [--site _build/html] [--out docs/screenshots]

Made by the same tooling as the browser tests (Playwright with Chromium: $GESTAPELD_CHROMIUM,
else `chromium` on PATH) from a built site (`make book`); writes PNG files into
docs/screenshots/. A documentation tool: nothing of the package or the site depends on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from gestapeld import config

#: Chromium, for the README screenshots only (the sheet itself needs no browser).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--mute-audio",
]


def chromium() -> str:
    """The Chromium for screenshots: $GESTAPELD_CHROMIUM, else `chromium` on PATH."""
    exe = os.environ.get("GESTAPELD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise SystemExit(
            "Chromium not found (needed for screenshots); install it with "
            "`apt-get install chromium` or set GESTAPELD_CHROMIUM to its path"
        )
    return exe


SCREENSHOTS = (
    ("landing", "book/index.html"),
    ("iteratie-v3", "book/iteraties/v3.html"),
)


VIEWPORTS = (("desktop", 1280, 900), ("telefoon", 375, 812))


def screenshots(site: Path | None = None, out: Path | None = None) -> list[Path]:
    """PNG screenshots of the landing page and iteration v3, desktop and phone size."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    root = config.project_root()
    site = Path(site or root / "_build" / "html").resolve()
    out = Path(out or root / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if not (site / "index.html").is_file():
        raise SystemExit(f"no site in {site}: run `make book` first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
            try:
                for vp_name, width, height in VIEWPORTS:
                    ctx = browser.new_context(
                        viewport={"width": width, "height": height},
                        device_scale_factor=1,
                        color_scheme="light",
                        reduced_motion="reduce",
                        locale="nl-NL",
                        timezone_id="UTC",
                    )
                    ctx.route(lambda url: not url.startswith(base), lambda route: route.abort())
                    page_ = ctx.new_page()
                    for name, path in SCREENSHOTS:
                        page_.goto(base + path, wait_until="load")
                        page_.evaluate("document.fonts.ready")
                        page_.wait_for_timeout(300)
                        target = out / f"{name}-{vp_name}.png"
                        page_.screenshot(path=str(target), animations="disabled", caret="hide", full_page=False)
                        written.append(target)
                    ctx.close()
            finally:
                browser.close()
    finally:
        server.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="docs/screenshots.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, help="the built site (default _build/html)")
    ap.add_argument("--out", type=Path, help="folder for the screenshots (default docs/screenshots)")
    args = ap.parse_args(argv)
    for path in screenshots(args.site, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
