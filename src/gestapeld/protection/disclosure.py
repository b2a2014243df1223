"""Disclosure control (statistische beveiliging) of every published count.

Policy (explained in the book, page `beveiliging`, and the README):

* threshold rule: a count of 1 to `threshold - 1` is not published as such but as the
  symbol `<threshold` (never as 0); every measure of a form and year whose applications
  number fewer than `threshold` is suppressed with it, because it is based on them. A true
  zero is published as 0: it reveals no person.
* deterministic rounding to `base` (10, the IND's practice), half up: the same exact count
  always gives the same published value, in every table, page and figure. Totals are
  rounded from exact totals, so rounded parts need not add up to the rounded total.
* minimum range: a reader who combines everything an iteration page publishes must be left
  with at least `min_values` possible values for every hidden cell (a certain zero aside);
  secondary suppression (symbol `secondary`) hides further cells until that holds
  (disclosure_audit.py).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas only where a table is protected: the site's Sphinx builds read the policy
    import pandas as pd


@dataclasses.dataclass(frozen=True)
class Policy:
    """Every parameter of the disclosure control, in one place (book page `beveiliging`)."""

    threshold: int = 10  # counts 1 .. threshold-1 are shown as the symbol `<threshold`
    base: int = 10  # other counts are rounded half up to a multiple of `base`
    min_values: int = 5  # a hidden cell must keep at least this many possible values
    secondary: str = "x"  # symbol of a cell hidden by secondary suppression

    @property
    def symbol(self) -> str:
        return f"<{self.threshold}"

    def describe(self) -> str:
        return (
            f"afgerond op {self.base}-tallen; aantallen kleiner dan {self.threshold} "
            f"weergegeven als '{self.symbol}'; cellen die een afgeschermd aantal zouden verraden, "
            f"weergegeven als '{self.secondary}'"
        )


DEFAULT = Policy()


class ProtectionError(Exception):
    """A table that no suppression pattern can protect (the build stops; names the table)."""


def round_count(n: int, policy: Policy = DEFAULT) -> int:
    """Round half up to the base: 14 -> 10, 15 -> 20 (deterministic, no banker's rounding)."""
    return (int(n) + policy.base // 2) // policy.base * policy.base


def publish_value(n: int, policy: Policy = DEFAULT, *, suppressed: bool = False) -> str:
    """The published text of one exact count."""
    if suppressed or 0 < n < policy.threshold:
        return policy.symbol
    return str(round_count(n, policy))


def protect(tabel: pd.DataFrame, policy: Policy = DEFAULT) -> pd.DataFrame:
    """Publishable version of an exact long table (categorie, jaar, maat, aantal).

    `aantal` becomes text: a rounded count or the suppression symbol.
    """
    t = tabel.copy()
    a = t[t["maat"] == "aanvragen"]
    base_counts = dict(zip(zip(a["categorie"], a["jaar"]), a["aantal"]))  # one per group
    small_population = [
        0 < base_counts.get(k, policy.threshold) < policy.threshold for k in zip(t["categorie"], t["jaar"])
    ]
    # publish_value itself hides a count of 1 .. threshold-1; a measure of a small group too
    t["aantal"] = [publish_value(n, policy, suppressed=s) for n, s in zip(t["aantal"], small_population)]
    return t


def numeric(published: pd.Series) -> pd.Series:
    """Published text as numbers, suppressed cells as NA (for figures)."""
    import pandas as pd

    return pd.to_numeric(published.where(~published.astype(str).str.startswith("<")), errors="coerce")
