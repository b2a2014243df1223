"""Rendering an information sheet: its content as an HTML page and as a PDF.

The content (sheet_content.sheet) is plain data; two template files lay it out:
templates/informatieblad.html.j2 (Jinja2) and templates/informatieblad.typ (Typst). The PDF
is reproducible: Typst uses only the fonts in its wheel and the template sets no date.
`compile_typst` is also the reviewer's recompile of a shipped sheet (digest.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PDF_NAME = "informatieblad.pdf"


HTML_TEMPLATE = "informatieblad.html.j2"


TYPST_TEMPLATE = "informatieblad.typ"


class InformatiebladError(RuntimeError):
    pass


def templates_folder() -> Path:
    return Path(__file__).resolve().parent / "templates"


def render_html(content: dict) -> str:
    """The self-contained HTML page of a sheet (templates/informatieblad.html.j2)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_folder()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # the footer goes into CSS (`content: "..."`), where HTML escaping does not apply
    css_footer = re.sub(r'["\\<>&]', "", content["footer"])
    return env.get_template(HTML_TEMPLATE).render(s=content, css_footer=css_footer)


def render_pdf(content: dict) -> bytes:
    """The PDF of a sheet, compiled by Typst from templates/informatieblad.typ.

    Only the fonts inside the typst wheel are used (no system fonts), so the bytes do not
    depend on the machine; the template sets no date, so two builds give the same bytes.
    PDF/UA-1 makes Typst write a tagged PDF and refuse what it knows to be inaccessible."""
    import typst

    try:
        pdf, warnings = _compile(templates_folder() / TYPST_TEMPLATE, sheet_json(content))
    except typst.TypstError as err:
        raise InformatiebladError(
            f"informatieblad {content['edition']}: Typst could not compile {TYPST_TEMPLATE}: {err.message}"
        ) from None
    if warnings:
        raise InformatiebladError(
            f"informatieblad {content['edition']}: Typst warns: " + "; ".join(w.message for w in warnings)
        )
    return pdf


def sheet_json(content: dict) -> str:
    """The exact input of the PDF (shipped beside it as informatieblad.json, see digest.py)."""
    return json.dumps(content, ensure_ascii=False)


def _compile(template: Path, sheet_json_text: str):
    import typst

    return typst.compile_with_warnings(
        template,
        sys_inputs={"sheet": sheet_json_text},
        ignore_system_fonts=True,
        pdf_standards=["ua-1"],
    )


def compile_typst(template: Path, sheet_json_text: str) -> bytes:
    """The PDF of a sheet from its template and JSON input (the reviewer's recompile)."""
    pdf, _ = _compile(template, sheet_json_text)
    return pdf
