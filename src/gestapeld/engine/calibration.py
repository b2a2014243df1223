"""The synthetic default beside the published figures (domain.md section 6)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import config
from . import counts, linkage
from .synth import TARGETS, TOLERANCE


def _yearly(extract: linkage.Extract, where: str, datum: str) -> dict[int, int]:
    con = linkage.connect(extract)
    try:
        rows = con.execute(
            f"SELECT CAST(year(CAST({datum} AS DATE)) AS INTEGER) AS jaar, COUNT(*) FROM extract "
            f"WHERE {where} GROUP BY ALL ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return {int(j): int(n) for j, n in rows}


def first_asylum_per_year(extract: linkage.Extract) -> dict[int, int]:
    """First asylum applications per year: a person's earliest asiel application."""
    con = linkage.connect(extract)
    try:
        rows = con.execute(
            """SELECT CAST(year(d) AS INTEGER), COUNT(*) FROM (
                   SELECT persoon_id, MIN(CAST(aanvraagdatum AS DATE)) AS d FROM extract
                   WHERE procedure = 'asiel' GROUP BY persoon_id) GROUP BY ALL ORDER BY 1"""
        ).fetchall()
    finally:
        con.close()
    return {int(j): int(n) for j, n in rows}


def nareis_grants_per_year(extract: linkage.Extract) -> dict[int, int]:
    """Granted nareis applications per year of decision (the nearest thing to CBS arrivals)."""
    return _yearly(extract, "procedure = 'nareis' AND besluit = 'inwilliging'", "besluitdatum")


def upto_2022(iteration: config.Iteration) -> config.Iteration:
    """The iteration's parameters with the period cut at the end of 2022 (targets 2019-2022)."""
    return iteration.replace(end=dt.date(2022, 12, 31))


def achieved(
    extract: linkage.Extract,
    iteration: config.Iteration | None = None,
    *,
    results: tuple[counts.Result, counts.Result] | None = None,
) -> pd.DataFrame:
    """One row per calibration target: published value, synthetic value, ratio, within tolerance.

    `results`: the counts of the iteration and of `upto_2022(iteration)` when the caller
    already has them (the book keeps them per build); otherwise they are computed here.
    """
    it = iteration or config.iteration("v3")
    if results is None:
        results = tuple(counts.compute_many(extract, [it, upto_2022(it)]))
    v3, cut = results
    if (v3.iteration.params(), cut.iteration.params()) != (it.params(), upto_2022(it).params()):
        raise ValueError("calibration results do not belong to the iteration and its 2019-2022 cut")
    rows: list[tuple[str, object, object]] = [
        (
            "nareis_op_nareis_aanvragen_2019_2023",
            TARGETS["nareis_op_nareis_aanvragen_2019_2023"],
            v3.value("nareis_op_nareis", "aanvragen"),
        ),
        (
            "nareis_op_nareis_inwilligingen_2019_2023",
            TARGETS["nareis_op_nareis_inwilligingen_2019_2023"],
            v3.value("nareis_op_nareis", "inwilligingen"),
        ),
        (
            "alle_inwilligingen_2019_2022",
            TARGETS["alle_inwilligingen_2019_2022"],
            cut.value("alle", "inwilligingen"),
        ),
        (
            "aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022",
            TARGETS["aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022"],
            cut.value("nareis_op_nareis", "inwilligingen") / max(1, cut.value("nareis_totaal", "inwilligingen")),
        ),
    ]
    per_year = {j: v3.value("alle", "inwilligingen", j) for j in range(2019, 2023)}
    rows.append(
        ("piekjaar_alle_inwilligingen", TARGETS["piekjaar_alle_inwilligingen"], max(per_year, key=per_year.get))
    )
    fa = first_asylum_per_year(extract)
    for year, value in TARGETS["eerste_asielaanvragen"].items():
        rows.append((f"eerste_asielaanvragen_{year}", value, fa.get(year, 0)))
    ng = nareis_grants_per_year(extract)
    for year, value in TARGETS["nareis_inwilligingen"].items():
        rows.append((f"nareis_inwilligingen_{year}", value, ng.get(year, 0)))
    out = pd.DataFrame(rows, columns=["doel", "gepubliceerd", "synthetisch"])

    def ok(r) -> bool:
        if r["doel"].startswith("piekjaar"):
            return r["gepubliceerd"] == r["synthetisch"]
        return abs(r["synthetisch"] / r["gepubliceerd"] - 1) <= TOLERANCE

    out["verhouding"] = [
        None if d.startswith("piekjaar") else round(s / p, 3)
        for d, p, s in zip(out["doel"], out["gepubliceerd"], out["synthetisch"])
    ]
    out["binnen_marge"] = out.apply(ok, axis=1)
    return out
