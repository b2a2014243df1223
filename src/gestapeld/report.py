"""What the notebooks call: one function per cell, published (protected) values only.

The extract is found through the environment (GESTAPELD_DATA, set by `gestapeld run`)
or is the synthetic default, so no path of the build machine enters a notebook.
"""
from __future__ import annotations

import datetime as dt
import os
import re
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


def nl_number(value) -> str:
    """A count as the book writes it: Dutch thousands separator (2.180); symbols (`<10`) as they are."""
    text = str(value)
    return f"{int(text):,}".replace(",", ".") if re.fullmatch(r"-?\d{4,}", text) else text


def display_table(wide: pd.DataFrame) -> pd.DataFrame:
    """Dutch labels for display; a cell with no value (referents have no period total) shows a dash."""
    out = wide.copy().replace("", "–")
    for m in MEASURES:
        if m in out.columns:
            out[m] = out[m].map(nl_number)
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
        ("iteratie", it.id), ("cijfervraag", it.verzoek), ("plaats in de tijdlijn", it.tijdlijn),
        ("methode", PARAMETER_METHOD_LABELS.get(it.methode, it.methode)),
        ("vormen", ", ".join(FORM_LABELS[f] for f in it.vormen)),
        ("periode (aanvraagdatum)", f"{it.start.isoformat()} t/m {it.end.isoformat()}"),
        ("peildatum", it.peildatum.isoformat()),
    ]
    return pd.DataFrame(rows, columns=["parameter", "waarde"]).set_index("parameter")


PARAMETER_METHOD_LABELS = {"longitudinal": "tijdreeks (longitudinaal)",
                           "cross_sectional": "dwarsdoorsnede (huidige vergunning)"}


def parameters_text(it: Iteration) -> str:
    """The parameters that determine the counts, in reader words (no code names)."""
    return (f"methode {PARAMETER_METHOD_LABELS.get(it.methode, it.methode)}; vormen "
            f"{', '.join(FORM_LABELS[f] for f in it.vormen)}; aanvraagdatum {it.start.isoformat()} "
            f"t/m {it.end.isoformat()}; peildatum {it.peildatum.isoformat()}")


def provenance_table(iteration: str | Iteration | None, template: str) -> pd.DataFrame:
    """Parameters, data fingerprint, code fingerprint and versions: nothing volatile."""
    tpl = config.project_root() / "notebooks" / template
    rows = []
    if iteration is not None:
        it = resolve(iteration)
        rows += [("parameters", parameters_text(it))]
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
            "Cijfers die de IND bekendmaakte, staan naast de iteratie waar ze bij horen."
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
        rows.append(("2019 t/m 2022", share(it, end=dt.date(2022, 12, 31))))
    return pd.DataFrame({"periode": [r[0] for r in rows],
                         "aandeel": ["niet van toepassing" if r[1] != r[1] else percent(r[1]) for r in rows]}
                        ).set_index("periode")


def _glue(key: str, value) -> None:
    from myst_nb import glue
    if hasattr(value, "item"):  # numpy scalars render as 'np.int64(7)' otherwise
        value = value.item()
    glue(key, value, display=False)


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
    out["effect"] = out["effect"].map(lambda v: "–" if v is None or v != v else f"{int(v):+,d}".replace(",", "."))
    if "totaal" in out.columns:
        out["totaal"] = out["totaal"].map(nl_number)
    out["vormen"] = out["vormen"].map(lambda v: ", ".join(FORM_LABELS[f] for f in v.split("+")))
    return out.set_index("stap")


def glue_reconciliation(dec: pd.DataFrame, dec_inw: pd.DataFrame) -> None:
    for suffix, d in (("", dec), ("_inw", dec_inw)):
        _glue(f"totaal_van{suffix}", d.iloc[0]["totaal"])
        _glue(f"totaal_naar{suffix}", d.iloc[-1]["totaal"])
        for _, r in d.iloc[1:].iterrows():
            v = r["effect"]
            _glue(f"effect_{r['stap']}{suffix}", int(v) if v == v and v is not None else 0)


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
    kal["synthetisch"] = [nl_number(shown(d, v)) if not d.startswith("piekjaar") else shown(d, v)
                          for d, v in zip(kal["doel"], kal["synthetisch"])]
    kal["binnen_marge"] = kal["binnen_marge"].map({True: "ja", False: "nee"})
    kal["verhouding"] = kal["verhouding"].map(lambda v: "–" if v != v or v is None else f"{v:.2f}".replace(".", ","))
    kal["doel"] = [calibration_label(d) for d in kal["doel"]]
    return kal.set_index("doel").rename_axis("gegeven").rename(columns=CALIBRATION_COLUMNS)


# Reader labels of the calibration table (no code names on the page).
CALIBRATION_COLUMNS = {"gepubliceerd": "gepubliceerd (IND of CBS)", "synthetisch": "synthetisch extract (beveiligd)",
                       "verhouding": "verhouding", "binnen_marge": "binnen 20%"}


def calibration_label(doel: str) -> str:
    fixed = {
        "nareis_op_nareis_aanvragen_2019_2023": "IND: aanvragen nareis op nareis, 2019-2023",
        "nareis_op_nareis_inwilligingen_2019_2023": "IND: ingewilligd nareis op nareis, 2019-2023",
        "alle_inwilligingen_2019_2022": "IND: ingewilligd, alle vormen, 2019-2022",
        "aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022":
            "IND: aandeel nareis op nareis in ingewilligde nareis, 2019-2022",
        "piekjaar_alle_inwilligingen": "IND: jaar met de meeste inwilligingen, alle vormen",
    }
    if doel in fixed:
        return fixed[doel]
    if doel.startswith("eerste_asielaanvragen_"):
        return f"CBS: eerste asielaanvragen (personen), {doel.rsplit('_', 1)[1]}"
    if doel.startswith("nareis_inwilligingen_"):
        return (f"CBS: aangekomen nareizigers (personen), {doel.rsplit('_', 1)[1]}; "
                "synthetisch: ingewilligde nareisaanvragen in dat besluitjaar")
    return doel


def glue_calibration(kal: pd.DataFrame) -> None:
    _glue("kal_gehaald", int((kal[CALIBRATION_COLUMNS["binnen_marge"]] == "ja").sum()))
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
    return pd.DataFrame(rows).set_index("iteratie").astype(str).map(nl_number)


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
