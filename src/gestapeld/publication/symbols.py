"""What the symbols in the tables mean, in one place (issue 25).

Every table on the site (HTML, every edition) and in the information sheet (HTML and PDF)
that shows `<10`, `x` or `–` gets a note under it that says what each symbol in that table
means and which protection policy was applied: the Sphinx extension adds it to the pages,
the information sheet to its own tables. The meanings follow the disclosure policy
(`protection.disclosure.DEFAULT`) and the page *Beveiliging* ("Wat dit betekent voor de lezer").
"""

from __future__ import annotations

import html
import re

from ..protection import disclosure

#: The symbols in the order the note explains them.
SYMBOLS = ("<10", "x", "–")


def meanings(lang: str = "nl") -> dict[str, str]:
    pol = disclosure.DEFAULT
    if lang == "en":
        return {
            "<10": f"a count from 1 to {pol.threshold - 1}, or any measure of a form and year with fewer than "
            f"{pol.threshold} applications (then the true count may also be 0)",
            "x": "additionally suppressed, so that no other count can be worked back; any count may lie "
            "behind an x, also 0 or one below 10",
            "–": "not applicable: the cell has no value (such as a decision date of an undecided application, "
            "referents over the whole period or an effect on the total row)",
        }
    return {
        "<10": f"een aantal van 1 tot en met {pol.threshold - 1}, of een maat van een vorm en jaar met minder dan "
        f"{pol.threshold} aanvragen (dan kan het werkelijke aantal ook 0 zijn)",
        "x": "extra afgeschermd, zodat een ander aantal niet is terug te rekenen; achter een x kan elk aantal "
        "staan, ook 0 of een aantal onder de 10",
        "–": "niet van toepassing: deze cel heeft geen waarde (zoals een besluitdatum bij een aanvraag zonder "
        "besluit, referenten over de hele periode of een effect in de rij van het totaal)",
    }


def in_cells(cells: list[str]) -> list[str]:
    """The symbols that occur as a whole cell (or a cell's leading value) among `cells`."""
    found = set()
    for c in cells:
        t = " ".join(str(c).split())
        if t == "<10" or t.startswith("<10 "):
            found.add("<10")
        elif t.lower() == "x":
            found.add("x")
        elif t in ("–", "-", "—"):
            found.add("–")
    return [s for s in SYMBOLS if s in found]


_HTML_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
_TAG = re.compile(r"<[^>]+>")


def in_html(text: str) -> list[str]:
    """The symbols in the cells of HTML tables (a notebook's DataFrame output)."""
    return in_cells([html.unescape(_TAG.sub("", c)).strip() for c in _HTML_CELL.findall(text)])


def note(symbols: list[str], *, lang: str = "nl") -> str:
    """The note under a table that shows `symbols` (empty when there are none)."""
    if not symbols:
        return ""
    m = meanings(lang)
    parts = "; ".join(f"{s} = {m[s]}" for s in symbols)
    protected = any(s in ("<10", "x") for s in symbols)
    if lang == "en":
        pol = disclosure.DEFAULT
        policy = (
            f" Protection applied: rounded to multiples of {pol.base}; counts below {pol.threshold} shown as "
            f"'{pol.symbol}'; cells that would reveal a suppressed count shown as '{pol.secondary}'."
            if protected
            else ""
        )
        return f"Symbols in this table: {parts}.{policy}"
    policy = (
        f" Toegepaste beveiliging: {disclosure.DEFAULT.describe()} (zie de pagina Beveiliging)." if protected else ""
    )
    return f"Tekens in deze tabel: {parts}.{policy}"
