"""Sphinx extension of the book: editions as they stood, Dutch numbers, notebook downloads.

Editions: every page is written once. The build of an edition (html_context `editie_huidig`,
set by publish) gets Sphinx tags `editie_<id>`, `vanaf_<id>` for that and every earlier
iteration, and `archief` for an archived edition (`actueel` for the current one), so a page
can hold ```{only} vanaf_v3``` blocks. Those blocks are resolved before glue and references,
so an archived edition never needs a notebook or label it does not have. The directives
`tijdlijn`, `parametertabel` and `editietabel` write tables from the iteration YAML,
filtered to what was known on the edition's date.

Numbers: glued integers formatted `:,d` get the Dutch thousands separator (2.180).

`html_copy_source` is off (the site ships no page sources), but sphinx-book-theme's
download buttons point into `_sources/`. This points the notebook button at a copy of the
executed notebook in `_notebooks/` and drops the page-source button.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import process_only_nodes

from .. import config as _config

METHODE = {"cross_sectional": "dwarsdoorsnede (alleen de huidige vergunning)", "longitudinal": "tijdreeks"}
VORM = {
    "nareis_op_nareis": "nareis op nareis",
    "nareis_na_8evrm": "nareis na 8 EVRM",
    "8evrm_na_nareis": "8 EVRM na nareis",
    "8evrm_na_8evrm": "8 EVRM na 8 EVRM",
}


datum_nl = _config.datum_nl


def edition_of(app) -> tuple[str, bool]:
    """(iteration id of the edition being built, archived?)."""
    ids = list(_config.iterations())
    current = (app.config.html_context or {}).get("editie_huidig") or ids[-1]
    return current, current != ids[-1]


def known_until(app) -> dt.date | None:
    """The last day whose events an archived edition may show; None for the current edition."""
    ed, archived = edition_of(app)
    return _config.edition_dates().get(ed) if archived else None


def _add_tags(app, cfg) -> None:
    ed, archived = edition_of(app)
    ids = list(_config.iterations())
    app.tags.add(f"editie_{ed}")
    for i in ids[: ids.index(ed) + 1]:
        app.tags.add(f"vanaf_{i}")
    app.tags.add("archief" if archived else "actueel")


class EarlyOnlyNodes(SphinxPostTransform):
    """Resolve ```{only}``` before glue (priority 5) and references (10)."""

    default_priority = 2

    def run(self, **kwargs) -> None:
        process_only_nodes(self.document, self.app.builder.tags)


class DutchThousands(SphinxPostTransform):
    """2,180 (glue `:,d`) -> 2.180, after glue has pasted its text."""

    default_priority = 6
    _grouped = re.compile(r"^-?\d{1,3}(,\d{3})+$")

    def run(self, **kwargs) -> None:
        if self.env.docname.endswith("english"):  # the English page keeps 1,240 (issue 25)
            return
        for node in self.document.findall(nodes.inline):
            if "pasted-text" in node.get("classes", []):
                text = node.astext()
                if self._grouped.match(text):
                    node.children = [nodes.Text(text.replace(",", "."))]


class EditionInCitations(SphinxPostTransform):
    """Every *bron* cell names the edition it is shown in (issue 25).

    The executed notebooks are shared by all editions, and their citations are written once,
    naming the current edition ("Gestapelde gezinshereniging, editie v3, pagina ...").
    In an archived edition the same cell must say "editie v0": the edition being built."""

    default_priority = 7
    _pattern = re.compile(r"(Gestapelde gezinshereniging, editie )(v\d+)\b")

    def run(self, **kwargs) -> None:
        ed, _ = edition_of(self.app)
        for node in list(self.document.findall(nodes.Text)):
            text = str(node)
            if "Gestapelde gezinshereniging, editie " not in text:
                continue
            new = self._pattern.sub(lambda m: m.group(1) + ed, text)
            if new != text:
                node.parent.replace(node, nodes.Text(new))


class SymbolNotes(SphinxPostTransform):
    """Under every table that shows `<10`, `x` or `–`, a note that says what each means
    (publication.symbols, one place), on every page of every edition (issue 25). Runs after
    glue, so pasted values count too; notebook tables arrive as raw HTML."""

    default_priority = 8

    def run(self, **kwargs) -> None:
        from . import symbols

        lang = "en" if self.env.docname.endswith("english") else "nl"
        targets = []
        for node in self.document.findall(nodes.table):
            found = symbols.in_cells([e.astext() for e in node.findall(nodes.entry)])
            if found:
                targets.append((node, found))
        for node in self.document.findall(nodes.raw):
            text = node.astext()
            if node.get("format") == "html" and "<table" in text:
                found = symbols.in_html(text)
                if found:
                    targets.append((node, found))
        for node, found in targets:
            note = nodes.paragraph("", symbols.note(found, lang=lang), classes=["symboolnoot"])
            parent = node.parent
            parent.insert(parent.index(node) + 1, note)


class GeneratedDirective(SphinxDirective):
    """A directive that writes MyST text and parses it in place."""

    has_content = False

    def markdown(self) -> list[str]:
        raise NotImplementedError

    def run(self):
        for name in ("iterations.yaml",):
            self.env.note_dependency(str(_config.PACKAGE_DIR / name))
        container = nodes.container()
        self.state.nested_parse(StringList(self.markdown(), source=self.env.docname), self.content_offset, container)
        return container.children


def one_line(text: str) -> str:
    """Text on one line (a cell of a list-table or a bold-led paragraph)."""
    return " ".join(str(text).split())


class Tijdlijn(GeneratedDirective):
    """The timeline of the process sketch, up to the edition's date."""

    def markdown(self) -> list[str]:
        until = known_until(self.env.app)
        lines = [
            "```{list-table} Tijdlijn (bron: de processchets, tenzij anders vermeld)",
            ":header-rows: 1",
            ":name: proces-tijdlijn",
            ":widths: 18 57 25",
            "",
            "* - Wanneer",
            "  - Gebeurtenis",
            "  - Iteratie",
        ]
        for e in _config.timeline():
            if until is not None and e["datum"] > until:
                continue
            lines += [
                f"* - {e.get('wanneer') or datum_nl(e['datum'])}",
                f"  - {one_line(e.get('tekst') or e['gebeurtenis'])}",
                f"  - {one_line(e.get('cijfervraag') or '–')}",
            ]
        return lines + ["```"]


class Parametertabel(GeneratedDirective):
    """The parameters of every iteration known in the edition."""

    def markdown(self) -> list[str]:
        ed, _ = edition_of(self.env.app)
        its = list(_config.iterations().values())
        its = its[: [i.id for i in its].index(ed) + 1]
        lines = [
            "```{list-table} De parameters per iteratie (uit het parameterbestand)",
            ":header-rows: 1",
            ":name: proces-parameters",
            ":widths: 10 30 16 18 14 12",
            "",
            "* - Iteratie",
            "  - Cijfervraag",
            "  - Methode",
            "  - Vormen",
            "  - Periode (aanvraagdatum)",
            "  - Peildatum (reconstructie)",
        ]
        for it in its:
            vormen = "alle vier de vormen" if len(it.vormen) == 4 else ", ".join(VORM[v] for v in it.vormen)
            eind = "de peildatum" if it.end_is_peildatum else datum_nl(it.end)
            lines += [
                f"* - {{ref}}`{it.id} <iteratie-{it.id}>`",
                f"  - {one_line(it.verzoek)}",
                f"  - {METHODE.get(it.methode, it.methode)}",
                f"  - {vormen}",
                f"  - {datum_nl(it.start)} tot en met {eind}",
                f"  - {datum_nl(it.peildatum)}",
            ]
        return lines + ["```"]


class Editietabel(GeneratedDirective):
    """The editions up to the one being built."""

    def markdown(self) -> list[str]:
        ed, _ = edition_of(self.env.app)
        its = _config.iterations()
        eds = _config.section("edities")
        ids = list(its)[: list(its).index(ed) + 1]
        lines = [
            "```{list-table} De edities van deze publicatie",
            ":header-rows: 1",
            ":name: versies-edities",
            ":widths: 10 18 22 50",
            "",
            "* - Editie",
            "  - Moment",
            "  - Status",
            "  - Wat er veranderde",
        ]
        for i in ids:
            e = eds.get(i, {})
            lines += [
                f"* - {i}",
                f"  - {its[i].tijdlijn}",
                f"  - {one_line(e.get('status', ''))}",
                f"  - {one_line(e.get('verandering', ''))} Zie {{ref}}`iteratie-{i}`.",
            ]
        return lines + ["```"]


def _fix_download_buttons(app, pagename, templatename, context, doctree) -> None:
    is_notebook = (Path(app.srcdir) / f"{pagename}.ipynb").is_file()
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        kept = [
            b for b in group["buttons"] if b.get("label") not in ("download-source-button", "download-notebook-button")
        ]
        if is_notebook:
            kept.insert(
                0,
                {
                    "type": "link",
                    "url": context["pathto"](f"_notebooks/{pagename}.ipynb", 1),
                    "text": ".ipynb",
                    "icon": "fas fa-code",
                    "tooltip": "Download het uitgevoerde notebook",
                    "label": "download-notebook-button",
                },
            )
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


class Referentiecijfers(GeneratedDirective):
    """The IND's figures of one iteration, as typed in the YAML (reference data, not computed)."""

    required_arguments = 1

    def markdown(self) -> list[str]:
        rows = _config.section("referentiecijfers").get(self.arguments[0]) or []
        if not rows:
            return ["Bij deze cijfervraag zijn geen cijfers van de IND openbaar."]
        lines = ["```{list-table}", ":header-rows: 1", ":widths: 45 30 25", "", "* - Gegeven", "  - IND", "  - Bron"]
        for r in rows:
            lines += [f"* - {one_line(r['gegeven'])}", f"  - {one_line(r['waarde'])}", f"  - {one_line(r['bron'])}"]
        return lines + ["```"]


def setup(app):
    # issue 25: each bron cell names its edition; every table with a symbol explains it
    app.add_post_transform(EditionInCitations)
    app.add_post_transform(SymbolNotes)
    app.add_directive("referentiecijfers", Referentiecijfers)
    app.connect("config-inited", _add_tags)
    app.add_post_transform(EarlyOnlyNodes)
    app.add_post_transform(DutchThousands)
    app.add_directive("tijdlijn", Tijdlijn)
    app.add_directive("parametertabel", Parametertabel)
    app.add_directive("editietabel", Editietabel)
    app.connect("html-page-context", _fix_download_buttons, priority=900)
    app.connect("build-finished", _copy_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
