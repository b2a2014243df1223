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


_TABLE_SQL = """
WITH x AS (
    SELECT vorm_ruw, CAST(year(aanvraagdatum) AS INTEGER) AS jaar, besluit, referent_id
    FROM gestapeld WHERE vorm_ruw IN ({forms}) AND aanvraagdatum BETWEEN $start AND $end
), measures AS (
    SELECT CASE WHEN GROUPING(vorm_ruw) = 1 THEN 'alle' ELSE vorm_ruw END AS categorie, jaar,
        COUNT(*) AS aanvragen,
        COUNT(*) FILTER (WHERE besluit = 'inwilliging') AS inwilligingen,
        COUNT(*) FILTER (WHERE besluit = 'afwijzing') AS afwijzingen,
        COUNT(*) FILTER (WHERE besluit IN ('intrekking', 'buitenbehandeling')) AS overig_beeindigd,
        COUNT(*) FILTER (WHERE besluit IS NULL) AS lopend,
        COUNT(DISTINCT referent_id) AS personen
    FROM x
    GROUP BY GROUPING SETS ((vorm_ruw, jaar), (jaar))
    UNION ALL BY NAME
    SELECT 'nareis_totaal' AS categorie, CAST(year(aanvraagdatum) AS INTEGER) AS jaar,
        COUNT(*) AS aanvragen,
        COUNT(*) FILTER (WHERE besluit = 'inwilliging') AS inwilligingen
    FROM zaken WHERE procedure = 'nareis' AND aanvraagdatum BETWEEN $start AND $end
    GROUP BY ALL
)
-- one row per (categorie, jaar, maat); the reference rows have only their two measures
UNPIVOT measures ON aanvragen, inwilligingen, afwijzingen, overig_beeindigd, lopend, personen
INTO NAME maat VALUE aantal
"""


def forms_sql(forms: tuple[str, ...]) -> str:
    """The forms of an iteration as an SQL list of literals."""
    assert all(f in FORMS for f in forms)  # codes come from config, never from data
    return ", ".join(f"'{f}'" for f in forms)


def compute(extract: linkage.Extract, iteration: Iteration, *, threads: int | None = None) -> Result:
    """Link, classify and count one iteration on a validated extract."""
    return compute_many(extract, [iteration], threads=threads)[0]


def compute_many(extract: linkage.Extract, iterations: list[Iteration], *, threads: int | None = None) -> list[Result]:
    """`compute` for several parameter sets on one connection (the extract is read once).

    Parameter sets with the same method and peildatum share one linkage: the peildatum
    decides what is known (`zaken`, the first steps), the method how X is linked, while
    the period and the forms only select what is counted. The shared linkage covers the
    union of their periods, and every count selects its own period and forms again, so
    each result equals `compute` on its own (tests/engine/test_engine_units.py checks this).
    """
    groups: dict[tuple[str, dt.date], list[Iteration]] = {}
    for it in iterations:
        groups.setdefault((it.methode, it.peildatum), []).append(it)
    out: dict[Iteration, Result] = {}
    con = linkage.connect(extract, threads=threads)
    try:
        for (methode, peildatum), group in groups.items():
            linkage.link(
                con,
                methode=methode,
                peildatum=peildatum,
                start=min(it.start for it in group),
                end=max(it.end for it in group),
            )
            for it in group:
                out[it] = _count(con, it)
    finally:
        con.close()
    return [out[it] for it in iterations]


def _count(con, iteration: Iteration) -> Result:
    """The result tables of one parameter set from the linkage on `con` (which may cover a
    longer period and more forms than this set counts)."""
    forms = forms_sql(iteration.vormen)
    period = {"start": iteration.start, "end": iteration.end}
    in_period = "aanvraagdatum BETWEEN $start AND $end"
    long = con.execute(_TABLE_SQL.format(forms=forms), period).df()
    depth = con.execute(
        f"""SELECT CASE WHEN d.cyclus THEN 'cyclus' ELSE CAST(d.niveau + 1 AS VARCHAR) END AS diepte,
                   COUNT(*) AS aantal
            FROM gestapeld AS g JOIN diepte AS d USING (referent_id)
            WHERE g.vorm_ruw IN ({forms}) AND g.{in_period}
            GROUP BY ALL""",
        period,
    ).df()
    gap = con.execute(
        # whole months elapsed, counted like an age; the macros are in sql/zaken.sql
        f"""SELECT vorm_ruw AS categorie,
                   tussentijd_klasse(maanden_verstreken(f1_besluitdatum, aanvraagdatum)) AS klasse,
                   COUNT(*) AS aantal
            FROM gestapeld WHERE vorm_ruw IN ({forms}) AND {in_period}
            GROUP BY ALL""",
        period,
    ).df()
    own = con.execute(
        f"""SELECT vorm_ruw AS categorie, eigen_asielvergunning, COUNT(*) AS aantal
            FROM gestapeld WHERE vorm_ruw IN ({forms}) AND {in_period} GROUP BY ALL""",
        period,
    ).df()

    tabel = _grid(iteration).merge(long, on=["categorie", "jaar", "maat"], how="left")
    tabel["aantal"] = tabel["aantal"].fillna(0).astype("int64")
    return Result(
        iteration=iteration,
        tabel=tabel[TABLE_COLUMNS],
        diepte=sort_depth(depth),
        tussentijd=gap.sort_values(["categorie", "klasse"], ignore_index=True),
        eigen_vergunning=own.sort_values(["categorie", "eigen_asielvergunning"], ignore_index=True),
    )


def sort_depth(depth: pd.DataFrame) -> pd.DataFrame:
    """The depth table in order: depth 0, 1, 2, ..., then the cycle row."""
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
