"""The calibration page: the synthetic extract beside the IND's and CBS's published figures.

Targets, values as published (rounded, protected: the same cells as on the v3 page), their
ratio and whether each target is met (computed, never typed). With a real extract the same
table compares the extract with the earlier published figures.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..engine import extract
from ..protection import disclosure
from .glue import glue, glue_source
from .kept_results import prefetch, result
from .page_tables import peak_year
from .protected import SUBTOTAL, protected_cells, published_number, share
from .source import extract_path, is_synthetic, nl_number, percent, resolve


def calibration_table() -> pd.DataFrame:
    """Calibration targets beside the synthetic values as PUBLISHED (rounded, protected, the
    same cells as on the v3 page); the ratio and the margin are computed from those too."""
    from ..engine import calibration
    from ..engine.synth import TOLERANCE

    it = resolve("v3")
    cut = calibration.upto_2022(it)
    prefetch([it, cut])  # one linkage for both; the v3 page reads the same kept result
    kal = calibration.achieved(extract_path(), it, results=(result(it), result(cut)))
    v3 = protected_cells(it)
    upto = dt.date(2022, 12, 31)
    from_page = {
        "nareis_op_nareis_aanvragen_2019_2023": v3[("nareis_op_nareis", "totaal", "aanvragen")],
        "nareis_op_nareis_inwilligingen_2019_2023": v3[("nareis_op_nareis", "totaal", "inwilligingen")],
        "alle_inwilligingen_2019_2022": v3[("alle", SUBTOTAL[0], "inwilligingen")],
        "aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022": share("v3", end=upto),
        "piekjaar_alle_inwilligingen": peak_year("v3", "alle", "inwilligingen", list(range(2019, upto.year + 1))),
    }

    def synthetic(doel: str, v):
        return from_page[doel] if doel in from_page else disclosure.publish_value(int(v))

    def shown(doel: str, v) -> str:
        if doel.startswith("aandeel"):
            return "niet te tonen" if v != v else percent(v)
        return str(v)

    def ratio(doel: str, pub, syn):
        if doel.startswith("piekjaar"):
            return None
        syn = syn if isinstance(syn, float) else published_number(syn)
        return None if syn is None or syn != syn else syn / pub

    syn = [synthetic(d, v) for d, v in zip(kal["doel"], kal["synthetisch"])]
    ratios = [ratio(d, p, v) for d, p, v in zip(kal["doel"], kal["gepubliceerd"], syn)]
    kal["binnen_marge"] = [
        calibration_met(d, p, v, tolerance=TOLERANCE) for d, p, v in zip(kal["doel"], kal["gepubliceerd"], syn)
    ]

    def target(doel: str, v) -> str:  # the IND's and CBS's own published figures
        if doel.startswith("aandeel"):
            return percent(v)
        if doel.startswith("piekjaar"):
            return str(int(v))
        if doel.startswith(("eerste", "nareis_inw")):
            return f"{int(v):,}".replace(",", ".")
        return disclosure.publish_value(int(v))

    kal["gepubliceerd"] = [target(d, v) for d, v in zip(kal["doel"], kal["gepubliceerd"])]
    kal["synthetisch"] = [
        nl_number(shown(d, v)) if not d.startswith("piekjaar") else shown(d, v) for d, v in zip(kal["doel"], syn)
    ]
    kal["binnen_marge"] = kal["binnen_marge"].map({True: "ja", False: "nee"})
    kal["verhouding"] = [("–" if r is None else f"{r:.2f}".replace(".", ",")) for r in ratios]
    kal["doel"] = [calibration_label(d) for d in kal["doel"]]
    columns = dict(CALIBRATION_COLUMNS)
    if not is_synthetic():  # a real extract: a comparison with the published figures
        columns["synthetisch"] = "dit extract (beveiligd)"
    return kal.set_index("doel").rename_axis("gegeven").rename(columns=columns)


def calibration_met(doel: str, published, ours, *, tolerance: float) -> bool:
    """Whether this publication's value meets a calibration target (computed, never typed).

    A peak year (`piekjaar_*`) is met when our peak is that one year: `published` may arrive
    as a float from a mixed column (2021.0), `ours` is the published text of `peak_year`
    ('2021', a tie '2020 en 2021', or 'niet te bepalen'), so both are compared as years, not
    as strings. Every other target is met when ours / published lies within `tolerance` of 1;
    a suppressed or undeterminable value ('<10', NaN) never meets a target."""
    if doel.startswith("piekjaar"):
        text = str(ours).strip()
        try:
            return text.isdigit() and int(text) == int(float(published))
        except (TypeError, ValueError):
            return False
    value = ours if isinstance(ours, (int, float)) and not isinstance(ours, bool) else published_number(ours)
    if value is None or value != value or not published:
        return False
    return abs(float(value) / float(published) - 1) <= tolerance


# Reader labels of the calibration table (no code names on the page).
CALIBRATION_COLUMNS = {
    "gepubliceerd": "gepubliceerd (IND of CBS)",
    "synthetisch": "synthetisch extract (beveiligd)",
    "verhouding": "verhouding",
    "binnen_marge": "binnen 20%",
}


def calibration_label(doel: str) -> str:
    fixed = {
        "nareis_op_nareis_aanvragen_2019_2023": "IND: aanvragen nareis op nareis, 2019-2023",
        "nareis_op_nareis_inwilligingen_2019_2023": "IND: ingewilligd nareis op nareis, 2019-2023",
        "alle_inwilligingen_2019_2022": "IND: ingewilligd, alle vormen, 2019-2022",
        "aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022": "IND: aandeel nareis op nareis in ingewilligde nareis, 2019-2022",
        "piekjaar_alle_inwilligingen": "IND: jaar met de meeste inwilligingen, alle vormen",
    }
    if doel in fixed:
        return fixed[doel]
    if doel.startswith("eerste_asielaanvragen_"):
        return f"CBS: eerste asielaanvragen (personen), {doel.rsplit('_', 1)[1]}"
    if doel.startswith("nareis_inwilligingen_"):
        ours = "synthetisch" if is_synthetic() else "dit extract"
        return (
            f"CBS: aangekomen nareizigers (personen), {doel.rsplit('_', 1)[1]}; "
            f"{ours}: ingewilligde nareisaanvragen in dat besluitjaar"
        )
    return doel


def glue_calibration(kal: pd.DataFrame) -> None:
    glue("kal_gehaald", int((kal[CALIBRATION_COLUMNS["binnen_marge"]] == "ja").sum()))
    glue("kal_doelen", int(len(kal)))
    # the number of rows of the extract is a count too: rounded like every other
    glue("kal_rijen", disclosure.round_count(int(extract.summary(extract_path())["rows"])))
    gehaald, doelen = int((kal[CALIBRATION_COLUMNS["binnen_marge"]] == "ja").sum()), int(len(kal))
    if is_synthetic():
        zin = f"haalt het synthetische extract {gehaald} van de {doelen} doelen binnen een marge van 20%."
    else:
        zin = (
            f"liggen {gehaald} van de {doelen} cijfers van dit extract binnen 20% van de eerder gepubliceerde cijfers."
        )
    glue("kal_zin", zin)
    glue_source()
