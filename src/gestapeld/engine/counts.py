"""Measures per form and year as of a peildatum; the `alle` total and `nareis_totaal`.

`compute` is the engine's one entry point: extract + parameters in, exact (internal)
result tables out. Disclosure control (disclosure.py) turns them into publishable ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from ..config import FORMS, MEASURES, REFERENCE_MEASURES, Iteration
from . import linkage

TABLE_COLUMNS = ["categorie", "jaar", "maat", "aantal"]


@dataclasses.dataclass(frozen=True)
class Result:
    """Exact counts of one iteration. Internal: never published without disclosure control."""

    iteration: Iteration
    tabel: pd.DataFrame  # categorie, jaar, maat, aantal (long, zeros included)
    diepte: pd.DataFrame  # diepte ('2', '3', ..., 'cyclus'), aantal
    tussentijd: pd.DataFrame  # categorie, klasse (months between F1 decision and X), aantal
    eigen_vergunning: pd.DataFrame  # categorie, eigen_asielvergunning (bool), aantal

    def value(self, categorie: str, maat: str, jaar: int | None = None) -> int:
        """One exact count; jaar None sums the years (not for `personen`)."""
        t = self.tabel
        sel = (t["categorie"] == categorie) & (t["maat"] == maat)
        if jaar is None:
            if maat == "personen":
                raise ValueError("personen cannot be summed over years (persons recur)")
            return int(t.loc[sel, "aantal"].sum())
        return int(t.loc[sel & (t["jaar"] == jaar), "aantal"].sum())


def years(iteration: Iteration) -> list[int]:
    """Calendar years from the start year to the end year, zeros included (the contract)."""
    return list(range(iteration.start.year, iteration.end.year + 1))


def _grid(iteration: Iteration) -> pd.DataFrame:
    rows = [
        (cat, jaar, maat) for cat in (*iteration.vormen, "alle") for jaar in years(iteration) for maat in MEASURES
    ] + [("nareis_totaal", jaar, maat) for jaar in years(iteration) for maat in REFERENCE_MEASURES]
    return pd.DataFrame(rows, columns=["categorie", "jaar", "maat"])


_MEASURE_SQL = """
SELECT {key} AS categorie, jaar,
    COUNT(*) AS aanvragen,
    COUNT(*) FILTER (WHERE besluit = 'inwilliging') AS inwilligingen,
    COUNT(*) FILTER (WHERE besluit = 'afwijzing') AS afwijzingen,
    COUNT(*) FILTER (WHERE besluit IN ('intrekking', 'buitenbehandeling')) AS overig_beeindigd,
    COUNT(*) FILTER (WHERE besluit IS NULL) AS lopend,
    COUNT(DISTINCT referent_id) AS personen
FROM (SELECT *, CAST(year(aanvraagdatum) AS INTEGER) AS jaar FROM gestapeld WHERE vorm_ruw IN ({forms}))
GROUP BY ALL
"""


def _forms_sql(forms: tuple[str, ...]) -> str:
    assert all(f in FORMS for f in forms)  # codes come from config, never from data
    return ", ".join(f"'{f}'" for f in forms)


def compute(extract: linkage.Extract, iteration: Iteration, *, threads: int | None = None) -> Result:
    """Link, classify and count one iteration on a validated extract."""
    con = linkage.connect(extract, threads=threads)
    try:
        linkage.link(
            con, methode=iteration.methode, peildatum=iteration.peildatum, start=iteration.start, end=iteration.end
        )
        forms = _forms_sql(iteration.vormen)
        per_form = con.execute(_MEASURE_SQL.format(key="vorm_ruw", forms=forms)).df()
        total = con.execute(_MEASURE_SQL.format(key="'alle'", forms=forms)).df()
        ref = con.execute(
            """SELECT 'nareis_totaal' AS categorie, CAST(year(aanvraagdatum) AS INTEGER) AS jaar,
                      COUNT(*) AS aanvragen,
                      COUNT(*) FILTER (WHERE besluit = 'inwilliging') AS inwilligingen
               FROM zaken WHERE procedure = 'nareis' AND aanvraagdatum BETWEEN $start AND $end
               GROUP BY ALL""",
            {"start": iteration.start, "end": iteration.end},
        ).df()
        depth = con.execute(
            f"""SELECT CASE WHEN d.cyclus THEN 'cyclus' ELSE CAST(d.niveau + 1 AS VARCHAR) END AS diepte,
                       COUNT(*) AS aantal
                FROM gestapeld AS g JOIN diepte AS d USING (referent_id)
                WHERE g.vorm_ruw IN ({forms})
                GROUP BY ALL"""
        ).df()
        gap = con.execute(
            # whole months elapsed, counted like an age; the macros are in sql/zaken.sql
            f"""SELECT vorm_ruw AS categorie,
                       tussentijd_klasse(maanden_verstreken(f1_besluitdatum, aanvraagdatum)) AS klasse,
                       COUNT(*) AS aantal
                FROM gestapeld WHERE vorm_ruw IN ({forms})
                GROUP BY ALL"""
        ).df()
        own = con.execute(
            f"""SELECT vorm_ruw AS categorie, eigen_asielvergunning, COUNT(*) AS aantal
                FROM gestapeld WHERE vorm_ruw IN ({forms}) GROUP BY ALL"""
        ).df()
    finally:
        con.close()

    wide = pd.concat([per_form, total, ref], ignore_index=True)
    long = wide.melt(id_vars=["categorie", "jaar"], var_name="maat", value_name="aantal").dropna()
    tabel = _grid(iteration).merge(long, on=["categorie", "jaar", "maat"], how="left")
    tabel["aantal"] = tabel["aantal"].fillna(0).astype("int64")
    return Result(
        iteration=iteration,
        tabel=tabel[TABLE_COLUMNS],
        diepte=_sort_depth(depth),
        tussentijd=gap.sort_values(["categorie", "klasse"], ignore_index=True),
        eigen_vergunning=own.sort_values(["categorie", "eigen_asielvergunning"], ignore_index=True),
    )


def _sort_depth(depth: pd.DataFrame) -> pd.DataFrame:
    key = depth["diepte"].map(lambda d: (1, 0) if d == "cyclus" else (0, int(d)))
    out = depth.assign(_k=key).sort_values("_k").drop(columns="_k").reset_index(drop=True)
    out["aantal"] = out["aantal"].astype("int64")
    return out


def with_parameters(
    iteration: Iteration,
    *,
    peildatum: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    vormen: tuple[str, ...] | None = None,
    methode: str | None = None,
) -> Iteration:
    """The iteration with some parameters overridden (command-line options)."""
    changes: dict[str, object] = {}
    for key, value in (
        ("peildatum", peildatum),
        ("start", start),
        ("end", end),
        ("vormen", vormen),
        ("methode", methode),
    ):
        if value is not None:
            changes[key] = value
    return iteration.replace(**changes) if changes else iteration
