"""The information sheet (informatieblad) of every edition: a self-contained page and its PDF.

`gestapeld publish` calls `build_all(site)` after the archived editions are in place: for
each edition it writes `informatieblad/index.html` next to the edition's own `index.html`
(the current edition at the root of the site, earlier ones under `edities/<id>/`) and
`informatieblad/informatieblad.pdf` (A4, 2 to 4 pages), compiled by Typst: no browser needed.

The sheet holds only published values: the protected table of `report.published_wide`, the
rounded totals of `report.total`, the published shares, the reconciliation with the
previous edition (`reconcile.decomposition`) and the provenance table. Before writing, each
edition's headline totals are compared with the values glued into its executed notebook, so
the sheet cannot silently disagree with the website (for example when the notebooks were
executed on another extract than the one `report` finds now).

`sheet(edition)` gathers the content once; templates/informatieblad.html.j2 (Jinja2) and
templates/informatieblad.typ (Typst) lay it out. The PDF is reproducible: Typst uses only
the fonts in its wheel and the template sets no date (tests/test_informatieblad.py builds twice).

`python -m gestapeld.publication.informatieblad --screenshots` writes the screenshots of the README
(docs/screenshots/, needs Chromium) from the built site; `--preview DIR` writes the sheets of
all editions to DIR without touching the site.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path

from .. import config
from ..config import FORM_LABELS, Iteration
from ..protection import disclosure
from . import digest, reconcile, report

FOLDER = "informatieblad"
PDF_NAME = "informatieblad.pdf"
HTML_TEMPLATE = "informatieblad.html.j2"
TYPST_TEMPLATE = "informatieblad.typ"
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
MEASURE_HEADERS = {
    "aanvragen": "aanvragen",
    "inwilligingen": "ingewilligd",
    "afwijzingen": "afgewezen",
    "overig_beeindigd": "overig beëindigd",
    "lopend": "lopend",
    "personen": "referenten",
}
METHOD_LABELS = {"longitudinal": "tijdreeks", "cross_sectional": "dwarsdoorsnede (huidige vergunning)"}


class InformatiebladError(RuntimeError):
    pass


# ------------------------------------------------------------------- where things go


def edition_folder(site: Path, edition: str) -> Path:
    """The folder of an edition in the site: the root for the current (last) edition."""
    ids = list(config.iterations())
    return Path(site) if edition == ids[-1] else Path(site) / "edities" / edition


def chromium() -> str:
    """The Chromium for screenshots: $GESTAPELD_CHROMIUM, else `chromium` on PATH."""
    exe = os.environ.get("GESTAPELD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise InformatiebladError(
            "Chromium not found (needed for screenshots); install it with "
            "`apt-get install chromium` or set GESTAPELD_CHROMIUM to its path"
        )
    return exe


# ------------------------------------------------------------------- numbers


def _glued(notebook: Path) -> dict[str, str]:
    """Values glued into an executed notebook (name -> text as the site shows it)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out = {}
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = o.get("data", {})
                text = data.get("application/papermill.record/text/plain", data.get("text/plain", ""))
                out[name] = "".join(text) if isinstance(text, list) else str(text)
    return out


def check_against_site(it: Iteration) -> None:
    """The sheet's totals must be the website's: compare with the executed notebook."""
    nb = config.project_root() / "book" / "iteraties" / f"{it.id}.ipynb"
    if not nb.is_file():
        raise InformatiebladError(f"informatieblad {it.id}: executed notebook {nb.name} not found; run `gestapeld run`")
    glued = _glued(nb)
    for key in ("alle_aanvragen", "alle_inwilligingen"):
        cat, maat = key.split("_", 1)
        ours = str(report.total(it, cat, maat))
        if key in glued and glued[key].strip("'\"") != ours:
            raise InformatiebladError(
                f"informatieblad {it.id}: {key} is {ours} now but {glued[key]} on the website "
                "(book/iteraties/{0}.ipynb); were the notebooks executed on another extract or "
                "older code? Run `gestapeld run` (with the same --data) before publishing".format(it.id)
            )


def _num(v) -> str:
    """A published count with the Dutch thousands separator (2.170); symbols as they are."""
    return report.nl_number(v)


def _share_rows(it: Iteration) -> list[tuple[str, str]]:
    t = report.share_table(it)
    return [(str(p), str(a)) for p, a in zip(t.index, t["aandeel"])]


def period_text(it: Iteration) -> str:
    """'2019-2023' for whole calendar years, else the dates."""
    if (it.start.month, it.start.day, it.end.month, it.end.day) == (1, 1, 12, 31):
        return f"{it.start.year}-{it.end.year}"
    return f"{it.start.isoformat()} t/m {it.end.isoformat()}"


def _effect(v) -> str:
    """A signed effect in Dutch notation (+1.240); '–' when it cannot be computed."""
    if v is None or v != v:
        return "–"
    return report.effect_text(int(v))


# ------------------------------------------------------------------- the content
#
# The sheet is built once as plain data (`sheet`): sections of paragraphs, lists and tables,
# with text as runs of (style, text). Two template files render that same data: the HTML page
# (templates/informatieblad.html.j2, Jinja2) and the PDF (templates/informatieblad.typ, Typst).
# So the wording and every number exist once, and the page and the PDF cannot drift apart.

#: Rich text: runs of [style, text]; style is "" (plain), "strong", "em" or "code".
Rich = list[list[str]]


def _rich(*parts: str | tuple[str, object]) -> Rich:
    return [[p[0], str(p[1])] if isinstance(p, tuple) else ["", str(p)] for p in parts]


def _p(*parts: str | tuple[str, object], css: str = "") -> dict:
    return {"type": "p", "css": css, "text": _rich(*parts)}


def _table(
    caption: str, headers: list[str], rows: list[tuple[list, str]], *, label: str, numeric_from: int = 1, css: str = ""
) -> dict:
    """A table; `rows` are (cells, css class of the row: "", "totaal" or "hash"). `note` says
    what the symbols in its cells mean (`<10`, `x`, `–`), in one place (publication.symbols)."""
    from . import symbols

    found = symbols.in_cells([str(c) for cells, _ in rows for c in cells[1:]])
    return {
        "note": symbols.note(found),
        "type": "table",
        "caption": caption,
        "label": label,
        "headers": list(headers),
        "numeric_from": numeric_from,
        "css": css,
        "rows": [{"cells": [str(c) for c in cells], "css": cls} for cells, cls in rows],
    }


def _result_table(it: Iteration) -> dict:
    narrow = len(it.vormen) == 1
    wide = report.published_wide(it)
    measures = [m for m in config.MEASURES if m in wide.columns]
    rows = []
    for r in wide.itertuples(index=False):
        d = r._asdict()
        cells = [FORM_LABELS.get(d["categorie"], d["categorie"]), d["jaar"], *[_num(d[m]) for m in measures]]
        rows.append((cells, "totaal" if d["jaar"] == "totaal" else ""))
    return _table(
        f"Tabel 2. {'Aanvragen nareis op nareis' if narrow else 'Gestapelde aanvragen'} per vorm en jaar van de "
        f"aanvraag, editie {it.id} (beveiligd)",
        ["vorm", "jaar", *[MEASURE_HEADERS[m] for m in measures]],
        rows,
        label="Tabel 2: aanvragen per vorm en jaar",
        numeric_from=2,
        css="uitkomsten",
    )


def _comparison(it: Iteration) -> list[dict]:
    """The IND's figures of this edition's own request (none for v0 and v2), beside ours."""
    from . import referentie

    t = referentie.table(it)
    if t.empty:
        return [
            _p(
                "Bij deze cijfervraag zijn geen cijfers van de IND openbaar; tabel 1 ontbreekt daarom in "
                "dit informatieblad."
            )
        ]
    rows = [([g, r["IND"], r["bron"], r.iloc[-1]], "") for g, r in t.iterrows()]
    if report.is_synthetic():
        column = f"deze editie ({it.id}, synthetisch, beveiligd)"
        caption = "Tabel 1. Cijfers van de IND bij deze cijfervraag naast de synthetische cijfers van deze editie"
    else:
        column = f"deze editie ({it.id}, beveiligd)"
        caption = "Tabel 1. Cijfers van de IND bij deze cijfervraag naast de cijfers van deze editie"
    out = [
        _table(
            caption,
            ["gegeven", "IND", "bron", column],
            rows,
            label="Tabel 1: vergelijking met de IND-cijfers",
            numeric_from=99,
        )
    ]
    if report.is_synthetic():
        out.append(
            _p(
                "Het synthetische extract is afgestemd op gepubliceerde totalen van de IND: waar de kolommen "
                "dicht bij elkaar liggen, is dat zo gemaakt en bevestigt het de cijfers van de IND niet."
            )
        )
    return out


def _differences(prev: Iteration | None, it: Iteration) -> list[dict]:
    if prev is None:
        return [_p("Dit is de eerste cijfervraag: er is geen vorige editie om mee te vergelijken.")]
    dec = {m: reconcile.decomposition(prev, it, maat=m) for m in ("aanvragen", "inwilligingen")}
    for m, d in dec.items():
        if not reconcile.check_lands_on_b(d, it, m):
            raise InformatiebladError(
                f"informatieblad {it.id}: reconciliation {prev.id}->{it.id} ({m}) does not land on {it.id}"
            )

    def definition(x: Iteration) -> str:
        n = len(x.vormen)
        return f"{METHOD_LABELS[x.methode]}, {n} {'vorm' if n == 1 else 'vormen'}"

    def moved(name: str, old: str, new: str) -> str:
        return f"{name}: {old} → {new}" if old != new else f"{name}: ongewijzigd ({new})"

    what = {
        "start": f"vorige editie {prev.id}",
        "definitie": moved("definitie", definition(prev), definition(it)),
        "peildatum": moved("peildatum", prev.peildatum.isoformat(), it.peildatum.isoformat()),
        "periode": moved("periode", period_text(prev), period_text(it)),
    }
    rows = []
    a, i = dec["aanvragen"], dec["inwilligingen"]
    for k in range(len(a)):
        step = a.loc[k, "stap"]
        rows.append(
            (
                [
                    what[step],
                    _num(a.loc[k, "totaal"]),
                    _effect(a.loc[k, "effect"]),
                    _num(i.loc[k, "totaal"]),
                    _effect(i.loc[k, "effect"]),
                ],
                "",
            )
        )
    total_a = a.iloc[-1]["totaal"]
    total_i = i.iloc[-1]["totaal"]
    intro = _p(
        f"Van editie {prev.id} naar {it.id} verschuift telkens één parameter: eerst de definitie, dan de "
        f"peildatum, dan de periode. Elk effect is het verschil tussen twee beveiligde (afgeronde) totalen, "
        f"dus de stappen tellen precies op tot het totaal van {it.id}: {_num(total_a)} aanvragen en "
        f"{_num(total_i)} inwilligingen, alle meegetelde vormen."
    )
    return [
        intro,
        _table(
            f"Tabel 3. Van editie {prev.id} naar {it.id}, alle meegetelde vormen (totaal na elke stap en effect)",
            ["stap", "aanvragen", "effect", "ingewilligd", "effect"],
            rows,
            label=f"Tabel 3: verschillen {prev.id} naar {it.id}",
            numeric_from=1,
        ),
    ]


def _provenance(it: Iteration) -> dict:
    prov = report.provenance_table(it, "iteratie.ipynb")
    rows = [
        ([key, value], "hash" if re.fullmatch(r"[0-9a-f]{64}", str(value)) else "")
        for key, value in zip(prov.index, prov["waarde"])
    ]
    # the site digest: a placeholder until every manifest is written, then stamped (digest.py)
    rows.append((["vingerafdruk van de hele site (site digest, sha256)", digest.PLACEHOLDER], "hash"))
    return _table(
        "Tabel 4. Herkomst van de cijfers", ["herkomst", "waarde"], rows, label="Tabel 4: herkomst", numeric_from=99
    )


def _data_note() -> Rich:
    if report.is_synthetic():
        return _rich(
            ("strong", "Let op: synthetische gegevens."),
            " De aantallen in dit informatieblad komen uit een ",
            ("strong", "synthetisch extract"),
            ": een simulatie met dezelfde opbouw als een extract van de IND, afgestemd op gepubliceerde "
            "totalen. Het zijn ",
            ("strong", "geen cijfers van de IND"),
            ". Cijfers van de IND bij deze cijfervraag staan, voor zover openbaar, in tabel 1.",
        )
    return _rich(
        ("strong", "Gegevens:"), f" {report.data_source()['label']}; alle aantallen zijn beveiligd (afgerond)."
    )


def sheet(edition: str) -> dict:
    """The content of one edition's information sheet, as plain data for the templates.

    Holds only published values; checks first that the totals are the website's."""
    its = config.iterations()
    ids = list(its)
    it = its[edition]
    prev = its[ids[ids.index(edition) - 1]] if ids.index(edition) > 0 else None
    current = edition == ids[-1]
    check_against_site(it)
    vormen = ", ".join(FORM_LABELS[f] for f in it.vormen)
    period = period_text(it)
    peildatum = it.peildatum.isoformat()
    n_a, n_i = report.total(it, "alle", "aanvragen"), report.total(it, "alle", "inwilligingen")
    pol = disclosure.DEFAULT
    status = "actuele editie" if current else f"gearchiveerde editie; de actuele editie is {ids[-1]}"
    # not the IND's title: a forwarded PDF must not pass for the IND's own information sheet
    footer = f"Reconstructie, geen document van de IND · reproduceerbare publicatie, editie {it.id}"
    footer += " · synthetische gegevens" if report.is_synthetic() else f" · {report.data_source()['kort']}"
    narrow = len(it.vormen) == 1  # before September 2023 the request knew only nareis op nareis
    subject = "nareis op nareis" if narrow else "gestapelde gezinshereniging"

    reconstructed = (
        "De opzet van deze eerste cijfervraag is een illustratieve reconstructie. "
        if it.methode == "cross_sectional"
        else ""
    )
    answer = [
        _p(
            ("strong", "Reconstructie."),
            " De peildatum is gekozen door deze publicatie; de bronnen noemen geen dagen. "
            + (
                f"Ook het begin van de periode ({it.start.isoformat()}) is een keuze van deze publicatie: de bronnen "
                "noemen voor deze cijfervraag geen periode. "
                if it.end_is_peildatum
                else ""
            )
            + reconstructed,
        ),
        _p(
            f"Met de definitie van editie {it.id} ({METHOD_LABELS[it.methode]}; "
            + (f"alleen {vormen}" if narrow else f"vormen: {vormen}")
            + ") geeft het extract ",
            ("strong", report.published_text(n_a)),
            " aanvragen nareis op nareis" if narrow else " gestapelde aanvragen",
            f" uit {period}, waarvan ",
            ("strong", report.published_text(n_i)),
            f" op de peildatum {peildatum} ingewilligd.",
            css="antwoord",
        ),
    ]
    if narrow:
        share_label = {"hele periode van de iteratie": f"over {period}", "2019 t/m 2022": "over 2019-2022"}
        share_text = " en ".join(f"{a} {share_label.get(p, p)}" for p, a in _share_rows(it))
        answer.append(
            _p(f"Aandeel van ingewilligde nareis op nareis in alle ingewilligde nareisaanvragen: {share_text}.")
        )
    elif "nareis_op_nareis" in it.vormen:
        share_label = {"hele periode van de iteratie": f"over {period}", "2019 t/m 2022": "over 2019-2022"}
        share_text = " en ".join(f"{a} {share_label.get(p, p)}" for p, a in _share_rows(it))
        answer.append(
            _p(
                "Daarvan ",
                ("em", "nareis op nareis"),
                f": {report.published_text(report.total(it, 'nareis_op_nareis', 'aanvragen'))} aanvragen, "
                f"{report.published_text(report.total(it, 'nareis_op_nareis', 'inwilligingen'))} ingewilligd. Aandeel van "
                f"ingewilligde nareis op nareis in alle ingewilligde nareisaanvragen: {share_text}.",
            )
        )
    answer += _comparison(it)

    if narrow:
        # the words of that date: one form, no "gestapeld", no four forms (September 2023)
        definition = _rich(
            "Een nareisaanvraag X met referent B telt als ",
            ("em", "nareis op nareis"),
            " als B zelf eerder via nareis is toegelaten (de eerste stap).",
        )
        if it.methode == "cross_sectional":
            how = _rich(
                ("strong", "Dwarsdoorsnede"),
                ": alleen de huidige vergunning van de referent op de peildatum telt; eerdere procedures "
                "van de referent worden niet bekeken.",
            )
        else:
            how = _rich(
                ("strong", "Tijdreeks"),
                ": elke persoon wordt gevolgd over alle eerdere procedures, zodat de eerste stap ook "
                "gevonden wordt als er later andere besluiten volgden. De eerste, ad hoc cijfervraag (v0) "
                "keek alleen naar de huidige vergunning van de referent.",
            )
        first_items = [definition, how]
    else:
        first_items = [
            _rich(
                "Een aanvraag voor gezinshereniging X (nareis of artikel 8 EVRM) met referent B is ",
                ("em", "gestapeld"),
                " als B zelf eerder via gezinshereniging bij asiel is toegelaten (de eerste stap). De vorm heet naar de "
                "procedures van beide stappen: nareis op nareis, nareis na 8 EVRM, 8 EVRM na nareis, 8 EVRM na 8 EVRM.",
            ),
            _rich(
                ("strong", "Tijdreeks"),
                ": elke persoon wordt gevolgd over alle eerdere procedures, zodat de eerste "
                "stap ook gevonden wordt als er later andere besluiten volgden. ",
                ("strong", "Dwarsdoorsnede"),
                " (alleen de eerste, ad hoc cijfervraag, v0): alleen de huidige vergunning van de referent op de peildatum telt.",
            ),
        ]
    method = {
        "type": "list",
        "items": [
            *first_items,
            _rich(
                "Een aanvraag telt in het jaar van de aanvraagdatum; de uitkomst (ingewilligd, afgewezen, overig "
                "beëindigd of lopend) is de stand op de peildatum."
            ),
            _rich(
                f"Statistische beveiliging: {pol.describe()}; ook alle maten van een vorm en jaar met minder dan "
                f"{pol.threshold} aanvragen zijn afgeschermd."
            ),
        ],
    }
    return {
        "lang": "nl",
        "edition": it.id,
        # plainly a reconstruction: never the title of the IND's own information sheet
        "title": f"Reconstructie {subject}, editie {it.id}: geen document van de IND",
        "subtitle": _rich(
            f"{it.titel} ({status}), nagebootst door een reproduceerbare publicatie. Hoort bij: {it.verzoek}. "
            f"Peildatum {peildatum} (reconstructie); aanvragen van {period}."
        ),
        "note": _data_note(),
        "footer": footer,
        "sections": [
            {"id": "h-antwoord", "heading": "Wat deze editie berekent", "blocks": answer},
            {
                "id": "h-tabel",
                "heading": "Uitkomsten per vorm en jaar",
                "blocks": [
                    _p(
                        "Per vorm en jaar van de aanvraag: aanvragen, en wat daarvan op de peildatum is ingewilligd, "
                        "afgewezen, overig beëindigd of nog lopend, en het aantal verschillende referenten. ",
                        ("em", "Alle nareis"),
                        " is ter vergelijking het totaal van alle nareisaanvragen, gestapeld of "
                        "niet. Totalen zijn afgerond vanuit exacte totalen, dus afgeronde delen tellen niet altijd op; "
                        "referenten hebben geen totaal over de periode.",
                    ),
                    _result_table(it),
                ],
            },
            {"id": "h-methode", "heading": "De methode in het kort", "blocks": [method]},
            {"id": "h-verschil", "heading": "Verschillen met de vorige editie", "blocks": _differences(prev, it)},
            {
                "id": "h-herkomst",
                "heading": "Herkomst",
                "blocks": [
                    _p(
                        "Elk getal komt uit dezelfde code en hetzelfde extract als de website: de parameters van de "
                        "cijfervraag, de vingerafdruk (sha256) van het extract en van de code, en de versies van de "
                        "gebruikte software."
                    ),
                    _provenance(it),
                    _p(
                        ("strong", "Citeren."),
                        " Wie een getal uit dit blad overneemt, vermeldt als bron: ",
                        report.citation(f"iteraties/{it.id}", edition=it.id),
                        " Daar staat elk getal met de cel die het berekende.",
                    ),
                ],
            },
        ],
        # no links: the sheet travels as a PDF, where a link to a file of the site would not resolve
        "closing": _rich(
            "Gemaakt door ",
            ("code", "gestapeld publish"),
            f" uit de iteratie {it.id}. De volledige "
            "uitleg, figuren en downloads staan op de website bij deze editie: pagina ",
            ("em", f"Iteratie {it.id}"),
            " (",
            ("code", f"book/iteraties/{it.id}.html"),
            "); de bronnen op de pagina ",
            ("em", "Bronnen"),
            ". Dit blad staat ook als pdf naast deze pagina (",
            ("code", PDF_NAME),
            ").",
        ),
    }


# ------------------------------------------------------------------- rendering


def _templates() -> Path:
    return Path(__file__).resolve().parent / "templates"


def render_html(content: dict) -> str:
    """The self-contained HTML page of a sheet (templates/informatieblad.html.j2)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_templates()),
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
        pdf, warnings = _compile(_templates() / TYPST_TEMPLATE, sheet_json(content))
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


def page(edition: str) -> str:
    """The self-contained HTML of one edition's information sheet."""
    return render_html(sheet(edition))


def pdf(edition: str) -> bytes:
    """The PDF of one edition's information sheet."""
    return render_pdf(sheet(edition))


def build(folder: Path, edition: str) -> Path:
    """Write `folder/informatieblad/index.html` and its PDF for one edition; returns the PDF."""
    out = Path(folder) / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    content = sheet(edition)
    (out / "index.html").write_text(render_html(content), encoding="utf-8")
    target = out / PDF_NAME
    target.write_bytes(render_pdf(content))
    # the exact input of the PDF, so a reviewer can recompile it with the digest (digest.py)
    (out / digest.SHEET_INPUT).write_text(sheet_json(content), encoding="utf-8")
    shutil.copyfile(_templates() / TYPST_TEMPLATE, out / digest.SHEET_TEMPLATE)
    return target


def build_all(site: Path) -> list[Path]:
    """The information sheet of every edition in the site (called by `gestapeld publish`)."""
    site = Path(site)
    pdfs = []
    ids = list(config.iterations())
    for edition in ids:
        folder = edition_folder(site, edition)
        if not (folder / "index.html").is_file():
            if edition != ids[-1] and not folder.exists():
                continue  # archived editions not built (`publish(editions=False)`)
            raise InformatiebladError(f"informatieblad: edition {edition} has no index.html in {folder}")
        print(f"gestapeld publish: informatieblad {edition} (html and pdf)", file=sys.stderr)
        pdfs.append(build(folder, edition))
    return pdfs


# ------------------------------------------------------------------- screenshots


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
        raise InformatiebladError(f"no site in {site}: run `make book` first")

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
    ap = argparse.ArgumentParser(
        prog="python -m gestapeld.publication.informatieblad", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--screenshots", action="store_true", help="write docs/screenshots/*.png from _build/html")
    ap.add_argument("--site", type=Path, help="the built site (default _build/html)")
    ap.add_argument("--out", type=Path, help="folder for the screenshots (default docs/screenshots)")
    ap.add_argument(
        "--preview",
        type=Path,
        metavar="DIR",
        help="write every edition's sheet (html and pdf) to DIR/<id>/ without touching the site",
    )
    args = ap.parse_args(argv)
    if not (args.screenshots or args.preview):
        ap.error("nothing to do: give --screenshots or --preview DIR")
    if args.preview:
        for edition in config.iterations():
            pdf = build(args.preview / edition, edition)
            print(pdf)
    if args.screenshots:
        for path in screenshots(args.site, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
