"""Headline numbers of the summary and comparison pages (the `overzicht` notebook).

Above `report` (the published values) and `reconcile` (differences between iterations):
the one place that needs both, so neither imports the other's caller.
"""

from __future__ import annotations

import datetime as dt

from .. import config
from ..engine.synth import TARGETS
from . import reconcile, report


def glue_overview() -> None:
    """Headline numbers for the summary and comparison pages, per iteration and published."""
    its = config.iterations()
    for it in its.values():
        for cat in ("alle", "nareis_op_nareis"):
            if cat == "alle" or cat in it.vormen:
                for m in ("aanvragen", "inwilligingen"):
                    report.glue(f"{it.id}_{cat}_{m}", report.total(it, cat, m))
                    report.glue(f"{it.id}_{cat}_{m}_tekst", report.published_text(report.total(it, cat, m)))
                    report.glue(f"{it.id}_{cat}_{m}_en", report.published_text(report.total(it, cat, m), lang="en"))
    v3 = its["v3"]
    upto = v3.replace(end=dt.date(2022, 12, 31))
    report.glue("v3_alle_inwilligingen_2019_2022", report.total(v3, "alle", "inwilligingen", jaar=report.SUBTOTAL[0]))
    report.glue(
        "v3_alle_inwilligingen_2019_2022_tekst",
        report.published_text(report.total(v3, "alle", "inwilligingen", jaar=report.SUBTOTAL[0])),
    )
    report.glue("v3_aandeel_2019_2022", report.share(v3, end=dt.date(2022, 12, 31)))
    report.glue("v3_aandeel_2019_2022_tekst", report.share_text(v3, report.share(v3, end=dt.date(2022, 12, 31))))
    report.glue("v3_piekjaar", report.peak_year(v3, "alle", "inwilligingen", list(range(2019, upto.end.year + 1))))
    report.glue("pub_non_aanvragen", TARGETS["nareis_op_nareis_aanvragen_2019_2023"])
    report.glue("pub_non_inwilligingen", TARGETS["nareis_op_nareis_inwilligingen_2019_2023"])
    report.glue("pub_alle_inwilligingen", TARGETS["alle_inwilligingen_2019_2022"])
    report.glue("pub_aandeel", TARGETS["aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022"])
    report.glue("pub_piekjaar", str(TARGETS["piekjaar_alle_inwilligingen"]))
    dec = reconcile.decomposition(its["v1"], v3, maat="aanvragen")
    for _, r in dec.iloc[1:].iterrows():
        report.glue(
            f"v1_v3_effect_{r['stap']}",
            int(r["effect"]) if r["effect"] == r["effect"] and r["effect"] is not None else 0,
        )
        report.glue(f"v1_v3_effect_{r['stap']}_tekst", report.effect_text(r["effect"], sign=False))
        report.glue(f"v1_v3_effect_{r['stap']}_en", report.effect_text(r["effect"], sign=False, lang="en"))
    report.glue_source()
