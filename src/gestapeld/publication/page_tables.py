"""The tables of the pages: published values with reader labels.

Depth, time between the steps, own permit, shares, the peak year, parameters and provenance,
the reconciliation's display, the disclosure summary and the downloads of a page. Every
number comes from the protected cells (protected.py), never from exact counts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .. import config, provenance
from ..config import FORM_LABELS, MEASURES, Iteration
from ..protection import disclosure
from .kept_results import template_fingerprint
from .protected import DEPTH_CLASSES, GAP_CLASSES, protected_cells, published_long, published_number, share, total
from .source import (
    MEASURE_LABELS,
    METHOD_LABELS,
    PARAMETER_METHOD_LABELS,
    data_path,
    data_source,
    effect_text,
    is_synthetic,
    nl_number,
    percent,
    resolve,
)


def disclosure_table() -> pd.DataFrame:
    """Per edition, what the disclosure control hides (page `beveiliging`): cells published,
    shown as `<10` (primary), hidden as `x` (secondary: the information lost), and the
    share of cells hidden as `x`. Counts of cells only: the sum of what an `x` hides would
    reveal it, so that goes only to the output checker's report (never published)."""
    pol = disclosure.DEFAULT
    rows = []
    for it in config.iterations().values():
        cells = protected_cells(it)
        n_x = sum(v == pol.secondary for v in cells.values())
        rows.append(
            {
                "editie": it.id,
                "gepubliceerde cellen": len(cells),
                f"als '{pol.symbol}'": sum(v.startswith("<") for v in cells.values()),
                f"extra afgeschermd ('{pol.secondary}')": n_x,
                f"aandeel '{pol.secondary}'": percent(n_x / len(cells)) if cells else "–",
            }
        )
    return pd.DataFrame(rows).set_index("editie")


def display_table(wide: pd.DataFrame) -> pd.DataFrame:
    """Dutch labels for display; a cell with no value (referents have no period total) shows a dash."""
    out = wide.copy().replace("", "–")
    for m in MEASURES:
        if m in out.columns:
            out[m] = out[m].map(nl_number)
    out["categorie"] = out["categorie"].map(lambda c: FORM_LABELS.get(c, c))
    return out.rename(columns={**MEASURE_LABELS, "categorie": "vorm", "jaar": "jaar"}).set_index(["vorm", "jaar"])


NOT_APPLICABLE = "niet van toepassing"


def has_depth(iteration: str | Iteration) -> bool:
    """Only a time series follows a person over procedures, so only it can know a chain's
    depth; the cross-sectional query (v0) cannot, and shows 'niet van toepassing', never 0."""
    return resolve(iteration).methode == "longitudinal"


def depth_table(iteration: str | Iteration) -> pd.DataFrame:
    """Chain depth ('nareis op nareis op nareis' is depth 3 or more), protected."""
    cells = protected_cells(iteration)
    known = has_depth(iteration)
    return pd.DataFrame(
        {
            "ketendiepte": list(DEPTH_CLASSES.values()),
            "aanvragen": [nl_number(cells[("alle", "totaal", m)]) if known else NOT_APPLICABLE for m in DEPTH_CLASSES],
        }
    ).set_index("ketendiepte")


def gap_table(iteration: str | Iteration) -> pd.DataFrame:
    """Months between the first step's decision and the second step's application, protected
    (the classes of a form sum to its applications: the audit knows)."""
    it = resolve(iteration)
    cells = protected_cells(it)
    pivot = pd.DataFrame(
        {FORM_LABELS[f]: [nl_number(cells[(f, "totaal", f"tussentijd:{k}")]) for k in GAP_CLASSES] for f in it.vormen},
        index=pd.Index(GAP_CLASSES, name="maanden tussen de stappen"),
    )
    return pivot


def own_permit_table(iteration: str | Iteration) -> pd.DataFrame:
    """Whether the referent held an own asylum permit between the two steps, protected."""
    it = resolve(iteration)
    cells = protected_cells(it)
    return pd.DataFrame(
        {
            "met eigen asielvergunning": [nl_number(cells[(f, "totaal", "eigen_vergunning:ja")]) for f in it.vormen],
            "zonder eigen asielvergunning": [
                nl_number(cells[(f, "totaal", "eigen_vergunning:nee")]) for f in it.vormen
            ],
        },
        index=[FORM_LABELS[f] for f in it.vormen],
    )


def peak_year(iteration: str | Iteration, categorie: str, maat: str, years: list[int]) -> str:
    """The year with the highest PUBLISHED count; a tie is shown as a tie ('2020 en 2021').
    Hidden cells are below every shown number of 10 or more; if the top is hidden, there is no
    peak to show."""
    cells = protected_cells(iteration)
    values = {j: published_number(cells[(categorie, str(j), maat)]) for j in years}
    shown = [v for v in values.values() if v is not None]
    if not shown or max(shown) == 0 or len(shown) < len(values) and max(shown) < disclosure.DEFAULT.threshold:
        return "niet te bepalen"
    top = [str(j) for j, v in values.items() if v == max(shown)]
    return " en ".join([", ".join(top[:-1]), top[-1]]) if len(top) > 1 else top[0]


def parameters_table(iteration: str | Iteration) -> pd.DataFrame:
    it = resolve(iteration)
    rows = [
        ("iteratie", it.id),
        ("cijfervraag", it.verzoek),
        ("plaats in de tijdlijn", it.tijdlijn),
        ("methode", PARAMETER_METHOD_LABELS.get(it.methode, it.methode)),
        ("vormen", ", ".join(FORM_LABELS[f] for f in it.vormen)),
        ("periode (aanvraagdatum)", f"{it.start.isoformat()} t/m {it.end.isoformat()}"),
        ("peildatum", it.peildatum.isoformat()),
    ]
    return pd.DataFrame(rows, columns=["parameter", "waarde"]).set_index("parameter")


def parameters_text(it: Iteration) -> str:
    """The parameters that determine the counts, in reader words (no code names)."""
    return (
        f"methode {PARAMETER_METHOD_LABELS.get(it.methode, it.methode)}; vormen "
        f"{', '.join(FORM_LABELS[f] for f in it.vormen)}; aanvraagdatum {it.start.isoformat()} "
        f"t/m {it.end.isoformat()}; peildatum {it.peildatum.isoformat()}"
    )


def provenance_table(iteration: str | Iteration | None, template: str) -> pd.DataFrame:
    """Parameters, data fingerprint, code fingerprint and versions: nothing volatile."""
    tpl = config.project_root() / "notebooks" / template
    rows = []
    if iteration is not None:
        it = resolve(iteration)
        rows += [("parameters", parameters_text(it))]
    rows += [
        ("gegevens", data_source()["label"]),
        ("sha256 van het extract", provenance.data_fingerprint(data_path())),
        ("vingerafdruk van de code", template_fingerprint(tpl)),
        ("sjabloon", f"notebooks/{template}"),
    ]
    rows += [(f"versie {k}", v) for k, v in provenance.versions().items()]
    return pd.DataFrame(rows, columns=["herkomst", "waarde"]).set_index("herkomst")


def write_downloads(iteration: str | Iteration, folder: Path | str = ".") -> list[str]:
    """The publishable table as CSV and XLSX next to the notebook (deterministic bytes)."""
    from .downloads import write_csv, write_xlsx

    it = resolve(iteration)
    folder = Path(folder)
    long = published_long(it)
    names = [f"{it.id}_tabel.csv", f"{it.id}_tabel.xlsx"]
    write_csv(long, folder / names[0])
    write_xlsx({"tabel": long, "toelichting": disclosure_note(it)}, folder / names[1])
    return names


def disclosure_note(it: Iteration) -> pd.DataFrame:
    lines = [
        f"Iteratie {it.id}: {it.titel}",
        f"Peildatum {it.peildatum.isoformat()}; periode {it.start.isoformat()} t/m {it.end.isoformat()}.",
        f"Statistische beveiliging: {disclosure.DEFAULT.describe()}.",
        "Afgeronde delen tellen niet altijd op tot het afgeronde totaal.",
        "Standaardgegevens zijn synthetisch: dit zijn geen cijfers van de IND."
        if is_synthetic()
        else f"Gegevens: {data_source()['label']}.",
    ]
    return pd.DataFrame({"toelichting": lines})


def numeric_wide(wide: pd.DataFrame) -> pd.DataFrame:
    """A published wide table as numbers for figures: suppressed cells (`<10`, `x`) are
    missing (NaN, drawn as missing, never as 0), year totals dropped."""
    out = wide[wide["jaar"] != "totaal"].copy()
    out["jaar"] = out["jaar"].astype(int)
    for m in MEASURES:
        if m in out.columns:
            out[m] = pd.to_numeric(out[m].astype(str).str.strip(), errors="coerce").astype(float)
    return out


def share_text(it: Iteration, value: float) -> str:
    """A share as printed: computed from published counts; not shown when one is hidden."""
    if value == value:
        return percent(value)
    return "niet van toepassing" if "nareis_op_nareis" not in it.vormen else "niet te tonen (afgeschermd)"


def share_table(iteration: str | Iteration) -> pd.DataFrame:
    it = resolve(iteration)
    rows = [("hele periode van de iteratie", share(it))]
    if it.start.year <= 2019 and it.end >= dt.date(2022, 12, 31):
        rows.append(("2019 t/m 2022", share(it, end=dt.date(2022, 12, 31))))
    return pd.DataFrame({"periode": [r[0] for r in rows], "aandeel": [share_text(it, r[1]) for r in rows]}).set_index(
        "periode"
    )


def display_steps(dec: pd.DataFrame) -> pd.DataFrame:
    out = dec.copy()
    out["methode"] = out["methode"].map(METHOD_LABELS)
    out["effect"] = out["effect"].map(lambda v: "–" if v is None or v != v else f"{int(v):+,d}".replace(",", "."))
    if "totaal" in out.columns:
        out["totaal"] = out["totaal"].map(nl_number)
    out["vormen"] = out["vormen"].map(lambda v: ", ".join(FORM_LABELS[f] for f in v.split("+")))
    return out.set_index("stap")


def display_orderfree(of: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation table: stated order, Shapley (mean over the six orders), range."""
    rows = []
    for r in of.itertuples():
        rows.append(
            {
                "stap": "totaal verschil" if r.stap == "totaal" else r.stap,
                "in de gekozen volgorde": effect_text(r.volgorde),
                "gemiddeld over de 6 volgordes (Shapley)": effect_text(r.shapley),
                "kleinste effect": "–" if r.stap == "totaal" else effect_text(r.laagste),
                "grootste effect": "–" if r.stap == "totaal" else effect_text(r.hoogste),
            }
        )
    return pd.DataFrame(rows).set_index("stap")


def reconciliation_parameters(van: str | Iteration, naar: str | Iteration) -> pd.DataFrame:
    """The parameters of both iterations of a reconciliation, side by side."""
    a, b = resolve(van), resolve(naar)
    return pd.DataFrame({a.id: parameters_table(a)["waarde"], b.id: parameters_table(b)["waarde"]})


def iterations_overview() -> pd.DataFrame:
    rows = []
    for it in config.iterations().values():
        rows.append(
            {
                "iteratie": it.id,
                "peildatum": it.peildatum.isoformat(),
                "periode": f"{it.start.isoformat()} t/m {it.end.isoformat()}",
                "vormen": len(it.vormen),
                "aanvragen (alle vormen)": total(it, "alle", "aanvragen"),
                "inwilligingen (alle vormen)": total(it, "alle", "inwilligingen"),
                "aanvragen nareis op nareis": total(it, "nareis_op_nareis", "aanvragen")
                if "nareis_op_nareis" in it.vormen
                else "",
            }
        )
    return pd.DataFrame(rows).set_index("iteratie").astype(str).map(nl_number)


def series_title(iteration: str | Iteration) -> str:
    """The title of an iteration's bar chart in the words of its date: before the definition
    was broadened (one form) the request knew only 'nareis op nareis', not 'gestapeld'."""
    it = resolve(iteration)
    if len(it.vormen) == 1:
        return f"Aanvragen {FORM_LABELS[it.vormen[0]]} per jaar ({it.id})"
    return f"Gestapelde aanvragen per jaar ({it.id})"
