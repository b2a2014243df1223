"""The content of an edition's information sheet, as plain data (no layout).

The sheet holds only published values: the protected table of `report.published_wide`, the
rounded totals of `report.total`, the published shares, the reconciliation with the
previous edition (`reconcile.decomposition`) and the provenance table. Before writing, each
edition's headline totals are compared with the values glued into its executed notebook, so
the sheet cannot silently disagree with the website (for example when the notebooks were
executed on another extract than the one `report` finds now). Sections of paragraphs, lists
and tables, with text as runs of (style, text): sheet_render.py lays the same data out as
the HTML page and the PDF, so the wording and every number exist once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .. import config
from ..config import FORM_LABELS, Iteration
from ..protection import disclosure
from . import digest, reconcile, report
from .sheet_render import PDF_NAME, InformatiebladError

MEASURE_HEADERS = {
    "aanvragen": "aanvragen",
    "inwilligingen": "ingewilligd",
    "afwijzingen": "afgewezen",
    "overig_beeindigd": "overig beëindigd",
    "lopend": "lopend",
    "personen": "referenten",
}


METHOD_LABELS = {"longitudinal": "tijdreeks", "cross_sectional": "dwarsdoorsnede (huidige vergunning)"}


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


def number_text(v) -> str:
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


def effect_text(v) -> str:
    """A signed effect in Dutch notation (+1.240); '–' when it cannot be computed."""
    if v is None or v != v:
        return "–"
    return report.effect_text(int(v))


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
        cells = [FORM_LABELS.get(d["categorie"], d["categorie"]), d["jaar"], *[number_text(d[m]) for m in measures]]
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
                    number_text(a.loc[k, "totaal"]),
                    effect_text(a.loc[k, "effect"]),
                    number_text(i.loc[k, "totaal"]),
                    effect_text(i.loc[k, "effect"]),
                ],
                "",
            )
        )
    total_a = a.iloc[-1]["totaal"]
    total_i = i.iloc[-1]["totaal"]
    intro = _p(
        f"Van editie {prev.id} naar {it.id} verschuift telkens één parameter: eerst de definitie, dan de "
        f"peildatum, dan de periode. Elk effect is het verschil tussen twee beveiligde (afgeronde) totalen, "
        f"dus de stappen tellen precies op tot het totaal van {it.id}: {number_text(total_a)} aanvragen en "
        f"{number_text(total_i)} inwilligingen, alle meegetelde vormen."
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
