"""Sphinx extension of the book: downloads of executed notebooks without shipping sources.

`html_copy_source` is off (the site ships no page sources), but sphinx-book-theme's
download buttons point into `_sources/`. This points the notebook button at a copy of the
executed notebook in `_notebooks/` and drops the page-source button.
"""
from __future__ import annotations

import shutil
from pathlib import Path


def _fix_download_buttons(app, pagename, templatename, context, doctree) -> None:
    is_notebook = (Path(app.srcdir) / f"{pagename}.ipynb").is_file()
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        kept = [b for b in group["buttons"]
                if b.get("label") not in ("download-source-button", "download-notebook-button")]
        if is_notebook:
            kept.insert(0, {
                "type": "link",
                "url": context["pathto"](f"_notebooks/{pagename}.ipynb", 1),
                "text": ".ipynb",
                "icon": "fas fa-code",
                "tooltip": "Download het uitgevoerde notebook",
                "label": "download-notebook-button",
            })
        group["buttons"] = kept


def _copy_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src, out = Path(app.srcdir), Path(app.outdir) / "_notebooks"
    for docname in sorted(app.env.found_docs):
        nb = src / f"{docname}.ipynb"
        if nb.is_file():
            dest = out / f"{docname}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(nb, dest)


def setup(app):
    app.connect("html-page-context", _fix_download_buttons, priority=900)
    app.connect("build-finished", _copy_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
