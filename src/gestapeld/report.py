"""What the notebooks call: one function per cell, published (protected) values only.

The extract is found through the environment (GESTAPELD_DATA, set by `gestapeld run`)
or is the synthetic default, so no path of the build machine enters a notebook.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import config, counts, disclosure, extract, provenance
from .config import FORM_LABELS, MEASURES, Iteration
from .counts import Result

MEASURE_LABELS = {
    "aanvragen": "aanvragen", "inwilligingen": "inwilligingen", "afwijzingen": "afwijzingen",
    "overig_beeindigd": "overig beëindigd", "lopend": "lopend", "personen": "personen (referenten)",
}


def data_path() -> Path:
    env = os.environ.get("GESTAPELD_DATA")
    return Path(env) if env else config.default_data_path()


def is_synthetic() -> bool:
    return "GESTAPELD_DATA" not in os.environ


@lru_cache(maxsize=2)
def _extract(path: str, fingerprint: str) -> pd.DataFrame:
    return extract.load(path)


def load_extract() -> pd.DataFrame:
    path = data_path()
    return _extract(str(path), provenance.data_fingerprint(path))


def resolve(iteration: str | Iteration) -> Iteration:
    return iteration if isinstance(iteration, Iteration) else config.iteration(iteration)


@lru_cache(maxsize=64)
def _result(it: Iteration, fingerprint: str) -> Result:
    return counts.compute(load_extract(), it)


def result(iteration: str | Iteration) -> Result:
    """Exact counts (internal): only ever shown through `published_*` functions."""
    return _result(resolve(iteration), provenance.data_fingerprint(data_path()))


# ------------------------------------------------------------------- published values


def _cells(res: Result, policy: disclosure.Policy) -> tuple[dict, dict]:
    """Published text and exact value per (categorie, jaar, maat); jaar 'totaal' for period totals."""
    it = res.iteration
    prot = disclosure.protect(res.tabel, policy)
    cells = {(c, str(j), m): a for c, j, m, a in prot.itertuples(index=False)}
    exact = {(c, str(j), m): int(a) for c, j, m, a in res.tabel.itertuples(index=False)}
    for cat in (*it.vormen, "alle", "nareis_totaal"):
        measures = config.REFERENCE_MEASURES if cat == "nareis_totaal" else [m for m in MEASURES if m != "personen"]
        pop = res.value(cat, "aanvragen")
        for m in measures:
            n = res.value(cat, m)
            exact[(cat, "totaal", m)] = n
            # the threshold rule holds for totals too: all measures of a small population are hidden
            cells[(cat, "totaal", m)] = disclosure.publish_value(n, policy, suppressed=0 < pop < policy.threshold)
    return cells, exact


def protect_result(res: Result, policy: disclosure.Policy = disclosure.DEFAULT) -> tuple[dict, list]:
    """All published cells of one result (primary and secondary suppression), and the
    differencing findings before secondary suppression."""
    from . import disclosure_audit
    cells, exact = _cells(res, policy)
    return disclosure_audit.secondary_suppression(cells, exact, list(res.iteration.vormen),
                                                  threshold=policy.threshold, base=policy.base)


def long_table(res: Result, cells: dict) -> pd.DataFrame:
    """The publishable long table (tabel.csv) from protected cells."""
    t = res.tabel[["categorie", "jaar", "maat"]].copy()
    t["aantal"] = [cells[(c, str(j), m)] for c, j, m in t.itertuples(index=False)]
    return t


@lru_cache(maxsize=64)
def _protected(it: Iteration, fingerprint: str, policy: disclosure.Policy) -> tuple[dict, list]:
    return protect_result(result(it), policy)


def protected_cells(iteration: str | Iteration, policy: disclosure.Policy = disclosure.DEFAULT) -> dict:
    """Every published cell of an iteration after primary and secondary suppression."""
    it = resolve(iteration)
    return _protected(it, provenance.data_fingerprint(data_path()), policy)[0]


def published_long(iteration: str | Iteration, policy: disclosure.Policy = disclosure.DEFAULT) -> pd.DataFrame:
    """The publishable long table (tabel.csv): categorie, jaar, maat, aantal (text)."""
    it = resolve(iteration)
    return long_table(result(it), protected_cells(it, policy))


def published_wide(iteration: str | Iteration) -> pd.DataFrame:
    """Per category and year (and the period total), one column per measure; published text.

    Totals over the period are rounded from exact totals (so parts need not add up);
    `personen` has no period total (persons are counted per year).
    """
    it = resolve(iteration)
    cells = protected_cells(it)
    order = {c: i for i, c in enumerate((*it.vormen, "alle", "nareis_totaal"))}
    rows: dict[tuple, dict] = {}
    for (cat, jaar, m), text in cells.items():
        rows.setdefault((cat, jaar), {"categorie": cat, "jaar": jaar})[m] = text
    out = pd.DataFrame(sorted(rows.values(), key=lambda r: (order[r["categorie"]], r["jaar"] == "totaal", r["jaar"])))
    cols = ["categorie", "jaar", *[m for m in MEASURES if m in out.columns]]
    return out[cols].fillna("").reset_index(drop=True)


def display_table(wide: pd.DataFrame) -> pd.DataFrame:
    """Dutch labels for display."""
    out = wide.copy()
    out["categorie"] = out["categorie"].map(lambda c: FORM_LABELS.get(c, c))
    return out.rename(columns={**MEASURE_LABELS, "categorie": "vorm", "jaar": "jaar"}).set_index(["vorm", "jaar"])


def total(iteration: str | Iteration, categorie: str, maat: str) -> int | str:
    """A published period total: the same cell as in the tables (int), or a symbol (str).

    Read from the protected cells, so a total hidden in a table is hidden in the text too.
    """
    text = protected_cells(iteration)[(categorie, "totaal", maat)]
    return int(text) if text.isdigit() else text


def share(iteration: str | Iteration, *, end: dt.date | None = None) -> float:
    """Granted stacked nareis-op-nareis applications as a share of all granted nareis ones."""
    it = resolve(iteration)
    if end is not None:
        it = it.replace(end=end)
    res = result(it)
    den = res.value("nareis_totaal", "inwilligingen")
    if "nareis_op_nareis" not in it.vormen or den == 0:
        return float("nan")
    return round(res.value("nareis_op_nareis", "inwilligingen") / den, 3)


def depth_table(iteration: str | Iteration) -> pd.DataFrame:
    """Chain depth ('nareis op nareis op nareis' is depth 3 or more), protected."""
    d = result(iteration).diepte
    rows = [("2", int(d.loc[d["diepte"] == "2", "aantal"].sum())),
            ("3 of meer", int(d.loc[~d["diepte"].isin(["2", "cyclus"]), "aantal"].sum())),
            ("cyclus (fout in de gegevens)", int(d.loc[d["diepte"] == "cyclus", "aantal"].sum()))]
    return pd.DataFrame({"ketendiepte": [r[0] for r in rows],
                         "aanvragen": [disclosure.publish_value(r[1]) for r in rows]}).set_index("ketendiepte")


def gap_table(iteration: str | Iteration) -> pd.DataFrame:
    """Months between the first step's decision and the second step's application, protected."""
    g = result(iteration).tussentijd
    if g.empty:
        return pd.DataFrame({"maanden tussen de stappen": [], "aanvragen": []})
    pivot = g.pivot_table(index="klasse", columns="categorie", values="aantal", aggfunc="sum", fill_value=0)
    pivot = pivot.map(disclosure.publish_value)
    pivot.columns = [FORM_LABELS.get(c, c) for c in pivot.columns]
    pivot.index.name = "maanden tussen de stappen"
    return pivot


def own_permit_table(iteration: str | Iteration) -> pd.DataFrame:
    """Whether the referent held an own asylum permit between the two steps, protected."""
    o = result(iteration).eigen_vergunning
    if o.empty:
        return pd.DataFrame()
    pivot = o.pivot_table(index="categorie", columns="eigen_asielvergunning", values="aantal",
                          aggfunc="sum", fill_value=0)
    pivot = pivot.reindex(columns=[True, False], fill_value=0).map(disclosure.publish_value)
    pivot.columns = ["met eigen asielvergunning", "zonder eigen asielvergunning"]
    pivot.index = [FORM_LABELS.get(c, c) for c in pivot.index]
    return pivot


def parameters_table(iteration: str | Iteration) -> pd.DataFrame:
    it = resolve(iteration)
    rows = [
        ("iteratie", it.id), ("verzoek", it.verzoek), ("plaats in de tijdlijn", it.tijdlijn),
        ("methode", "tijdreeks (longitudinaal)" if it.methode == "longitudinal" else "dwarsdoorsnede (huidige vergunning)"),
        ("vormen", ", ".join(FORM_LABELS[f] for f in it.vormen)),
        ("periode (aanvraagdatum)", f"{it.start.isoformat()} t/m {it.end.isoformat()}"),
        ("peildatum", it.peildatum.isoformat()),
    ]
    return pd.DataFrame(rows, columns=["parameter", "waarde"]).set_index("parameter")


def provenance_table(iteration: str | Iteration | None, template: str) -> pd.DataFrame:
    """Parameters, data fingerprint, code fingerprint and versions: nothing volatile."""
    tpl = config.project_root() / "notebooks" / template
    rows = []
    if iteration is not None:
        it = resolve(iteration)
        rows += [("parameters", ", ".join(f"{k}={v if not isinstance(v, list) else '+'.join(v)}" for k, v in it.params().items()))]
    rows += [
        ("gegevens", "synthetisch extract (standaard)" if is_synthetic() else "extract opgegeven met GESTAPELD_DATA"),
        ("sha256 van het extract", provenance.data_fingerprint(data_path())),
        ("vingerafdruk van de code", provenance.code_fingerprint(tpl)),
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
        "Standaardgegevens zijn synthetisch: dit zijn geen cijfers van de IND." if is_synthetic()
        else "Gegevens: extract van de IND.",
    ]
    return pd.DataFrame({"toelichting": lines})


# ------------------------------------------------------------------- notebook helpers


def data_notice():
    """The notice above every page with figures: synthetic or real, in plain words."""
    from IPython.display import Markdown
    if is_synthetic():
        return Markdown(
            "**Let op: synthetische gegevens.** De aantallen op deze pagina komen uit een synthetisch extract "
            "(een simulatie, zie Gegevens en Kalibratie), niet uit de gegevens van de IND. "
            "De gepubliceerde IND-cijfers staan ernaast op de pagina Vergelijking met gepubliceerde cijfers."
        )
    return Markdown("**Gegevens:** extract van de IND; alle aantallen zijn beveiligd.")


def numeric_wide(wide: pd.DataFrame) -> pd.DataFrame:
    """A published wide table as numbers for figures: `<10` drawn as 0, year totals dropped."""
    out = wide[wide["jaar"] != "totaal"].copy()
    out["jaar"] = out["jaar"].astype(int)
    for m in MEASURES:
        if m in out.columns:
            out[m] = disclosure.numeric(out[m].replace("", pd.NA).astype("string")).fillna(0)
    return out


def share_table(iteration: str | Iteration) -> pd.DataFrame:
    it = resolve(iteration)
    rows = [("hele periode van de iteratie", share(it))]
    if it.start.year <= 2019 and it.end >= dt.date(2022, 12, 31):
        rows.append(("2019 t/m 2022 (zoals gepubliceerd)", share(it, end=dt.date(2022, 12, 31))))
    return pd.DataFrame({"periode": [r[0] for r in rows],
                         "aandeel": ["niet van toepassing" if r[1] != r[1] else percent(r[1]) for r in rows]}
                        ).set_index("periode")


def _glue(key: str, value) -> None:
    from myst_nb import glue
    if hasattr(value, "item"):  # numpy scalars render as 'np.int64(7)' otherwise
        value = value.item()
    glue(key, value, display=False)
    _GLUED[key] = value  # listed, with its citation, by `sources` in the same cell


def glue_iteration(iteration: str | Iteration) -> None:
    """Numbers the text pages quote from this iteration (published values)."""
    it = resolve(iteration)
    for cat in ("alle", *it.vormen):
        for m in ("aanvragen", "inwilligingen"):
            _glue(f"{cat}_{m}", total(it, cat, m))
    _glue("nareis_totaal_inwilligingen", total(it, "nareis_totaal", "inwilligingen"))
    s = share(it)
    _glue("aandeel", s if s == s else 0.0)
    d = result(it).diepte
    deep = int(d.loc[~d["diepte"].isin(["2", "cyclus"]), "aantal"].sum())
    _glue("diepte3", disclosure.publish_value(deep))
    _glue("peildatum", it.peildatum.isoformat())


METHOD_LABELS = {"longitudinal": "tijdreeks", "cross_sectional": "dwarsdoorsnede"}


def percent(value: float, decimals: int = 1) -> str:
    """A share in Dutch notation: 0.0123 -> '1,2%'."""
    return f"{value:.{decimals}%}".replace(".", ",")


def display_steps(dec: pd.DataFrame) -> pd.DataFrame:
    out = dec.copy()
    out["methode"] = out["methode"].map(METHOD_LABELS)
    out["effect"] = out["effect"].map(lambda v: "" if v is None or v != v else f"{int(v):+d}")
    out["vormen"] = out["vormen"].map(lambda v: ", ".join(FORM_LABELS[f] for f in v.split("+")))
    return out.set_index("stap")


NOT_COMPUTABLE = "n.b."  # niet te berekenen: the effect depends on a suppressed total


def effect_text(value, *, sign: bool = True) -> str:
    """An effect in Dutch notation: whole numbers as is, Shapley fractions to one decimal
    ('+1.233,3'); NOT_COMPUTABLE when it depends on a suppressed total."""
    if value is None or (isinstance(value, float) and value != value):
        return NOT_COMPUTABLE
    value = Fraction(value)
    if value.denominator == 1:
        text = f"{int(value):+,d}" if sign else f"{int(value):,d}"
    else:
        text = f"{float(value):+,.1f}" if sign else f"{float(value):,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def display_orderfree(of: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation table: stated order, Shapley (mean over the six orders), range."""
    rows = []
    for r in of.itertuples():
        rows.append({
            "stap": "totaal verschil" if r.stap == "totaal" else r.stap,
            "in de gekozen volgorde": effect_text(r.volgorde),
            "gemiddeld over de 6 volgordes (Shapley)": effect_text(r.shapley),
            "kleinste effect": "" if r.stap == "totaal" else effect_text(r.laagste),
            "grootste effect": "" if r.stap == "totaal" else effect_text(r.hoogste),
        })
    return pd.DataFrame(rows).set_index("stap")


def glue_reconciliation(dec: pd.DataFrame, dec_inw: pd.DataFrame,
                        of: pd.DataFrame | None = None, of_inw: pd.DataFrame | None = None) -> None:
    """Numbers of one reconciliation for the text: totals and effects in the stated order
    (int, 0 when not computable, as before) and, when given, the order-free decomposition
    as published text (`shapley_<stap>`, `laagste_<stap>`, `hoogste_<stap>`, suffix `_inw`
    for grants), which may be fractional or NOT_COMPUTABLE."""
    for suffix, d, o in (("", dec, of), ("_inw", dec_inw, of_inw)):
        _glue(f"totaal_van{suffix}", d.iloc[0]["totaal"])
        _glue(f"totaal_naar{suffix}", d.iloc[-1]["totaal"])
        for _, r in d.iloc[1:].iterrows():
            v = r["effect"]
            _glue(f"effect_{r['stap']}{suffix}", int(v) if v == v and v is not None else 0)
        if o is None:
            continue
        for r in o.itertuples():
            if r.stap == "totaal":
                _glue(f"verschil{suffix}", effect_text(r.volgorde))
                continue
            _glue(f"volgorde_{r.stap}{suffix}", effect_text(r.volgorde))
            _glue(f"shapley_{r.stap}{suffix}", effect_text(r.shapley))
            _glue(f"laagste_{r.stap}{suffix}", effect_text(r.laagste))
            _glue(f"hoogste_{r.stap}{suffix}", effect_text(r.hoogste))


def reconciliation_parameters(van: str | Iteration, naar: str | Iteration) -> pd.DataFrame:
    """The parameters of both iterations of a reconciliation, side by side."""
    a, b = resolve(van), resolve(naar)
    return pd.DataFrame({a.id: parameters_table(a)["waarde"], b.id: parameters_table(b)["waarde"]})


# ------------------------------------------------------------------- the source of a number

#: Values glued in this kernel since the last `sources` call (key -> value).
_GLUED: dict[str, object] = {}


def anchor(notebook: str) -> str:
    """The label (HTML anchor) of the cell that glues a notebook's numbers:
    'verschillen/v1_v3' -> 'bron-verschillen-v1-v3'. Text pages link to it after each number."""
    name = notebook.removesuffix(".ipynb").lower()
    return "bron-" + re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def _template_of(notebook: str) -> str:
    name = notebook.removesuffix(".ipynb")
    folder = name.split("/")[0] if "/" in name else ""
    return {"iteraties": "iteratie.ipynb", "verschillen": "verschil.ipynb"}.get(folder, f"{name}.ipynb")


def citation(notebook: str, key: str | None = None) -> str:
    """A short source line to paste under a quoted number: edition, page, notebook cell,
    data and code fingerprints (12 characters each; the full ones are in the provenance
    table of the notebook). `notebook` like 'verschillen/v1_v3', `key` a glued name."""
    name = notebook.removesuffix(".ipynb")
    edition = list(config.iterations())[-1]
    tpl = config.project_root() / "notebooks" / _template_of(name)
    data = provenance.data_fingerprint(data_path())[:12]
    code = provenance.code_fingerprint(tpl)[:12]
    gegevens = "synthetische gegevens" if is_synthetic() else "extract van de IND"
    getal = f", getal '{key}'" if key else ""
    return (f"Gestapelde gezinshereniging, editie {edition}, pagina {name}.html#{anchor(name)}{getal}; "
            f"notebook {name}.ipynb; {gegevens} sha256 {data}; code {code}.")


def _shown(value) -> str:
    if isinstance(value, float):
        return percent(value) if 0 <= value < 1 else f"{value:g}"
    return str(value)


def sources(notebook: str) -> pd.DataFrame:
    """The numbers this cell glued, each with the citation to paste under it; shown on the
    page under the label `anchor(notebook)`, so every number on a text page links here."""
    rows = [(key, _shown(value), citation(notebook, key)) for key, value in _GLUED.items()]
    _GLUED.clear()
    return pd.DataFrame(rows, columns=["getal", "waarde", "citeer als"]).set_index("getal")


def calibration_table() -> pd.DataFrame:
    from . import calibration
    kal = calibration.achieved(load_extract())
    def shown(doel: str, v):
        if doel.startswith("aandeel"):
            return percent(v)
        if doel.startswith("piekjaar"):
            return str(int(v))
        return disclosure.publish_value(int(v))
    kal["gepubliceerd"] = [shown(d, v) if not d.startswith(("eerste", "nareis_inw")) else f"{int(v):,}".replace(",", ".")
                           for d, v in zip(kal["doel"], kal["gepubliceerd"])]
    kal["synthetisch"] = [shown(d, v) for d, v in zip(kal["doel"], kal["synthetisch"])]
    kal["binnen_marge"] = kal["binnen_marge"].map({True: "ja", False: "nee"})
    kal["verhouding"] = kal["verhouding"].map(lambda v: "" if v != v or v is None else f"{v:.2f}".replace(".", ","))
    return kal.set_index("doel")


def glue_calibration(kal: pd.DataFrame) -> None:
    _glue("kal_gehaald", int((kal["binnen_marge"] == "ja").sum()))
    _glue("kal_doelen", int(len(kal)))
    _glue("kal_rijen", int(len(load_extract())))


def iterations_overview() -> pd.DataFrame:
    rows = []
    for it in config.iterations().values():
        rows.append({
            "iteratie": it.id, "peildatum": it.peildatum.isoformat(),
            "periode": f"{it.start.isoformat()} t/m {it.end.isoformat()}",
            "vormen": len(it.vormen),
            "aanvragen (alle vormen)": total(it, "alle", "aanvragen"),
            "inwilligingen (alle vormen)": total(it, "alle", "inwilligingen"),
            "aanvragen nareis op nareis": total(it, "nareis_op_nareis", "aanvragen") if "nareis_op_nareis" in it.vormen else "",
        })
    return pd.DataFrame(rows).set_index("iteratie").astype(str)


def glue_overview() -> None:
    """Headline numbers for the summary and comparison pages, per iteration and published."""
    from .synth import TARGETS
    from . import reconcile
    its = config.iterations()
    for it in its.values():
        for cat in ("alle", "nareis_op_nareis"):
            if cat == "alle" or cat in it.vormen:
                for m in ("aanvragen", "inwilligingen"):
                    _glue(f"{it.id}_{cat}_{m}", total(it, cat, m))
    v3 = its["v3"]
    upto = v3.replace(end=dt.date(2022, 12, 31))
    _glue("v3_alle_inwilligingen_2019_2022", total(upto, "alle", "inwilligingen"))
    _glue("v3_aandeel_2019_2022", share(v3, end=dt.date(2022, 12, 31)))
    _glue("v3_aandeel_2019_2022_tekst", percent(share(v3, end=dt.date(2022, 12, 31))))
    per_year = {j: result(upto).value("alle", "inwilligingen", j) for j in range(2019, 2023)}
    _glue("v3_piekjaar", str(max(per_year, key=per_year.get)))
    _glue("pub_non_aanvragen", TARGETS["nareis_op_nareis_aanvragen_2019_2023"])
    _glue("pub_non_inwilligingen", TARGETS["nareis_op_nareis_inwilligingen_2019_2023"])
    _glue("pub_alle_inwilligingen", TARGETS["alle_inwilligingen_2019_2022"])
    _glue("pub_aandeel", TARGETS["aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022"])
    _glue("pub_piekjaar", str(TARGETS["piekjaar_alle_inwilligingen"]))
    dec = reconcile.decomposition(its["v1"], v3, maat="aanvragen")
    for _, r in dec.iloc[1:].iterrows():
        _glue(f"v1_v3_effect_{r['stap']}", int(r["effect"]) if r["effect"] == r["effect"] else 0)
