"""Where a build's numbers come from, and the words and number formats of its pages.

The extract is found through the environment (GESTAPELD_DATA, set by `gestapeld run`) or is
the synthetic default, so no path of the build machine enters a notebook. `data_source`
gives the label every page, caption and download names (synthetic or the IND's extract);
`published_text`, `nl_number`, `percent` and `effect_text` write numbers as the book does.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import config, provenance
from ..config import Iteration
from ..engine import extract

MEASURE_LABELS = {
    "aanvragen": "aanvragen",
    "inwilligingen": "inwilligingen",
    "afwijzingen": "afwijzingen",
    "overig_beeindigd": "overig beëindigd",
    "lopend": "lopend",
    "personen": "personen (referenten)",
}


def setup() -> None:
    """How the notebooks show tables (a notebook without figures needs no matplotlib)."""
    pd.set_option("display.max_colwidth", None)  # no "..." in the tables of the book


def data_path() -> Path:
    env = os.environ.get("GESTAPELD_DATA")
    return Path(env) if env else config.default_data_path()


def is_synthetic() -> bool:
    """The synthetic default unless an extract was given (GESTAPELD_DATA, set by the runner)."""
    return "GESTAPELD_DATA" not in os.environ


def data_source() -> dict[str, str]:
    """Which data every label of a build names: the synthetic default or the IND's extract.

    Keys: `bron` ('synthetisch' or 'extract'), `label` (Dutch, for pages, captions and the
    information sheet), `label_en`, `sha256`, `peildatum` (the last date in the extract,
    ISO) and `kort` (short form for figure captions and footers).
    """
    path = data_path()
    sha = provenance.data_fingerprint(path)
    latest = [v for v in extract.summary(extract_path())["latest"].values() if v]
    peil = max(latest) if latest else ""
    if is_synthetic():
        return {
            "bron": "synthetisch",
            "sha256": sha,
            "peildatum": peil,
            "kort": "synthetische gegevens",
            "label": "synthetisch extract (standaard), geen gegevens van de IND",
            "label_en": "synthetic extract (default), not IND data",
        }
    return {
        "bron": "extract",
        "sha256": sha,
        "peildatum": peil,
        "kort": f"extract van de IND, gegevens t/m {peil}",
        "label": f"extract van de IND, gegevens tot en met {peil} (sha256 {sha[:12]}…)",
        "label_en": f"extract of the IND, data up to {peil} (sha256 {sha[:12]}…)",
    }


#: Published symbols in words (prose, captions, the English page).
SYMBOL_WORDS = {"nl": {"<": "minder dan ", "x": "afgeschermd"}, "en": {"<": "fewer than ", "x": "suppressed"}}


def published_text(value: int | str, *, lang: str = "nl") -> str:
    """A published value for prose: digits as they are, `<10` as 'minder dan 10', `x` as
    'afgeschermd'. Glue this text (format `:s`), never an int that may be suppressed."""
    text = str(value)
    words = SYMBOL_WORDS[lang]
    if text.startswith("<"):
        return words["<"] + text[1:]
    if text.strip().lower() == "x":
        return words["x"]
    if lang == "nl":
        return nl_number(text)
    return f"{int(text):,}" if re.fullmatch(r"-?\d{4,}", text) else text  # English: 1,240


@lru_cache(maxsize=2)
def _extract(path: str, fingerprint: str) -> Path:
    return extract.prepare(path)


def extract_path() -> Path:
    """The validated, typed copy of the extract (private cache; validated once per extract).

    The cache keeps only the most recently used copies: when another process (or a test)
    pruned this one since it was prepared, it is prepared again."""
    path = data_path()
    typed = _extract(str(path), provenance.data_fingerprint(path))
    if not typed.is_file():
        _extract.cache_clear()
        typed = _extract(str(path), provenance.data_fingerprint(path))
    return typed


def load_extract() -> pd.DataFrame:
    """The validated extract as a DataFrame (the engine reads `extract_path()` instead)."""
    return pd.read_parquet(extract_path())


def resolve(iteration: str | Iteration) -> Iteration:
    return iteration if isinstance(iteration, Iteration) else config.iteration(iteration)


def nl_number(value) -> str:
    """A count as the book writes it: Dutch thousands separator (2.180); symbols (`<10`) as they are."""
    text = str(value)
    return f"{int(text):,}".replace(",", ".") if re.fullmatch(r"-?\d{4,}", text) else text


PARAMETER_METHOD_LABELS = {
    "longitudinal": "tijdreeks (longitudinaal)",
    "cross_sectional": "dwarsdoorsnede (huidige vergunning)",
}


def data_notice():
    """The notice above every page with figures: synthetic or real, in plain words."""
    from IPython.display import Markdown

    if is_synthetic():
        return Markdown(
            "**Let op: synthetische gegevens.** De aantallen op deze pagina komen uit een synthetisch extract "
            "(een simulatie, zie Gegevens en Kalibratie), niet uit de gegevens van de IND. "
            "Cijfers van de IND staan, voor zover openbaar, naast de iteratie waar ze bij horen."
        )
    return Markdown(
        f"**Gegevens:** {data_source()['label']}. Alle aantallen zijn beveiligd (zie Statistische beveiliging)."
    )


METHOD_LABELS = {"longitudinal": "tijdreeks", "cross_sectional": "dwarsdoorsnede"}


def percent(value: float, decimals: int = 1) -> str:
    """A share in Dutch notation: 0.0123 -> '1,2%'. A nonzero share never prints as zero:
    one that would round to 0 reads 'minder dan 0,1%' (10 of 36.040 is not '0,0%')."""
    text = f"{value:.{decimals}%}"
    if value > 0 and float(text.rstrip("%")) == 0:
        return f"minder dan {10**-decimals:.{decimals}f}%".replace(".", ",")
    return text.replace(".", ",")


NOT_COMPUTABLE = "n.b."  # niet te berekenen: the effect depends on a suppressed total


def effect_text(value, *, sign: bool = True, lang: str = "nl") -> str:
    """An effect in Dutch notation: whole numbers as is, Shapley fractions to one decimal
    ('+1.233,3'); NOT_COMPUTABLE when it depends on a suppressed total. `lang="en"` for the
    English page (English separators, 'unknown' in words)."""
    if value is None or (isinstance(value, float) and value != value):
        return NOT_COMPUTABLE if lang == "nl" else "unknown (a total is suppressed)"
    value = Fraction(value)
    if value.denominator == 1:
        text = f"{int(value):+,d}" if sign else f"{int(value):,d}"
    else:
        text = f"{float(value):+,.1f}" if sign else f"{float(value):,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "nl" else text


def clear_cache() -> None:
    """Forget what this process keeps in memory (a fresh kernel); the private cache stays."""
    _extract.cache_clear()
