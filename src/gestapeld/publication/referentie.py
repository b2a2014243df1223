"""The IND's figures beside the iteration they belong to (domain.md section 6).

The IND's figures are reference data typed in the iteration YAML (`referentiecijfers`), not
computed. Beside each one this module puts what this publication computes for the same
request, period and measure, from the protected cells only (never an exact count).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import config
from ..config import Iteration


def nl(value: int | str) -> str:
    """A published count in Dutch notation (2.180); symbols such as `<10` unchanged."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def _protected(it: Iteration) -> dict:
    from . import report

    return report.protected_cells(it)


def _total(it: Iteration, vorm: str, maat: str) -> int | str:
    text = _protected(it)[(vorm, "totaal", maat)]
    return int(text) if text.isdigit() else text


def _per_year(it: Iteration, vorm: str, maat: str) -> dict[int, int | str]:
    """Protected counts per complete calendar year of the iteration's period."""
    cells = _protected(it)
    out: dict[int, int | str] = {}
    for year in range(it.start.year, it.end.year + 1):
        if dt.date(year, 12, 31) > it.end or dt.date(year, 1, 1) < it.start:
            continue
        text = cells[(vorm, str(year), maat)]
        out[year] = int(text) if text.isdigit() else text
    return out


def _published_total_over(it: Iteration, vorm: str, maat: str, years: list[int]) -> int | str | None:
    """The published total of exactly `years` (complete calendar years) as the page shows it:
    the period total when they are the whole period, the 2019-2022 subtotal when they are
    those years; None when the page has no such total."""
    from . import report

    if not years:
        return None
    whole = list(range(it.start.year, it.end.year + 1))
    if years == whole and it.start == dt.date(it.start.year, 1, 1) and it.end == dt.date(it.end.year, 12, 31):
        return _total(it, vorm, maat)
    if report.has_subtotal(it) and years == list(range(it.start.year, report.SUBTOTAL[1].year + 1)):
        text = str(report.total(it, vorm, maat, jaar=report.SUBTOTAL[0]))
        return int(text) if text.isdigit() else text
    return None


def computed(it: Iteration, spec: dict) -> str:
    """What this publication computes for one reference figure (`vergelijk` in the YAML).

    Only cells of the iteration page itself are read (its years, period total and the
    2019-2022 subtotal), never a separately protected table: a second protection of the
    same counts could show a cell that the page hides (disclosure issue)."""
    from . import report

    end = config.as_date(spec["tot"], "referentiecijfers.tot") if "tot" in spec else it.end
    if "aandeel_tot" in spec:
        s = report.share(it, end=config.as_date(spec["aandeel_tot"], "referentiecijfers.aandeel_tot"))
        return report.share_text(it, s)
    vorm, maat = spec["vorm"], spec["maat"]
    if vorm != "alle" and vorm not in it.vormen:
        return "niet geteld in deze iteratie"
    if spec.get("piekjaar"):
        last = min(it.end, dt.date(2022, 12, 31))
        return report.peak_year(it, vorm, maat, list(range(it.start.year, last.year + 1)))
    if spec.get("per_jaar"):
        years = {y: v for y, v in _per_year(it, vorm, maat).items() if dt.date(y, 12, 31) <= end}
        parts = "; ".join(f"{y}: {nl(v)}" for y, v in years.items())
        period_total = _published_total_over(it, vorm, maat, sorted(years))
        if isinstance(period_total, int) and years:
            # from the published total of those years (850 over four years is 210 a year),
            # not from the rounded years (which may add up to 880 and give 220)
            gem = int(round(period_total / len(years), -1))
            return f"gemiddeld {nl(gem)} per jaar: {nl(period_total)} over {len(years)} jaar ({parts})"
        return parts
    if end == it.end:
        return nl(_total(it, vorm, maat))
    if end == report.SUBTOTAL[1] and report.has_subtotal(it):
        return nl(report.total(it, vorm, maat, jaar=report.SUBTOTAL[0]))
    return "niet te bepalen"


def column(iteration: Iteration | None = None) -> str:
    """The column of this publication's own figures, named after the data source."""
    from . import report

    return "deze publicatie (synthetisch, beveiligd)" if report.is_synthetic() else "deze publicatie (beveiligd)"


def table(iteration: str | Iteration) -> pd.DataFrame:
    """The IND's figures of this iteration beside this publication's; empty when there are none."""
    from . import report

    it = report.resolve(iteration)
    rows = config.section("referentiecijfers").get(it.id) or []
    own = column(it)
    return pd.DataFrame(
        [
            {"gegeven": r["gegeven"], "IND": r["waarde"], "bron": r["bron"], own: computed(it, r["vergelijk"])}
            for r in rows
        ],
        columns=["gegeven", "IND", "bron", own],
    ).set_index("gegeven")


def show(iteration: str | Iteration):
    """For the iteration notebook: the table, or one sentence when no IND figures are public."""
    from IPython.display import Markdown

    t = table(iteration)
    if t.empty:
        return Markdown(
            "Bij deze cijfervraag zijn geen cijfers van de IND openbaar; er valt hier niets naast te zetten."
        )
    return t
