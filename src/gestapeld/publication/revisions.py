"""The revision policy's "wat is er veranderd" per edition (book/herzieningen.md, issue 26).

The directive `wijzigingen` writes, for every edition up to the one being built: its status and
the YAML's words on what changed, which parameters moved (definition, peildatum, period; from
the iteration YAML), the numbers that moved (all forms: applications and grants, before and
after, and the effect of each parameter) as glue references into the executed reconciliation
notebook of the two iterations, and the corrections (errata) of the YAML. No number is typed:
the strict build fails when a reconciliation or one of its values is missing.
"""

from __future__ import annotations

from .. import config
from .feed import corrections, previous, reasons
from .sphinx_ext import METHODE, VORM, GeneratedDirective, datum_nl, edition_of, one_line


def _reason_text(a: str, b: str) -> list[str]:
    its = config.iterations()
    x, y = its[a], its[b]
    out = []
    for r in reasons(a, b):
        if r == "definitie":
            parts = []
            if x.methode != y.methode:
                parts.append(f"methode {METHODE[x.methode]} → {METHODE[y.methode]}")
            if list(x.vormen) != list(y.vormen):
                parts.append(f"vormen {', '.join(VORM[v] for v in x.vormen)} → {', '.join(VORM[v] for v in y.vormen)}")
            out.append("**definitie** (" + "; ".join(parts) + ")")
        elif r == "peildatum":
            out.append(f"**peildatum** ({datum_nl(x.peildatum)} → {datum_nl(y.peildatum)})")
        else:
            out.append(
                f"**periode** ({datum_nl(x.start)} t/m {datum_nl(x.end)} → {datum_nl(y.start)} t/m {datum_nl(y.end)})"
            )
    return out


def _glue(a: str, b: str, key: str) -> str:
    return f"{{glue:text}}`verschillen/{a}_{b}.ipynb::{key}:s`"


class Wijzigingen(GeneratedDirective):
    """What changed in each edition, up to the edition being built (newest first)."""

    def markdown(self) -> list[str]:
        ed, _ = edition_of(self.env.app)
        its = config.iterations()
        meta = config.section("edities")
        ids = list(its)[: list(its).index(ed) + 1]
        lines: list[str] = []
        for e in reversed(ids):
            m = meta.get(e, {})
            lines += [
                f"```{{rubric}} Editie {e}: {its[e].titel} ({its[e].tijdlijn})",
                "```",
                "",
                f"**Status:** {one_line(m.get('status', ''))}. **Wat er veranderde:** {one_line(m.get('verandering', ''))}",
                "",
            ]
            a = previous(e)
            if a is None:
                lines += ["De eerste editie: er waren nog geen eerdere cijfers.", ""]
            else:
                why = _reason_text(a, e)
                lines += [
                    f"**Waarom de cijfers bewogen ten opzichte van editie {a}:** " + "; ".join(why) + ". "
                    "De tabel geeft de beveiligde aantallen van alle meegetelde vormen en het effect van elke "
                    "parameter, in de volgorde definitie, peildatum, periode (zie "
                    f"{{ref}}`bron <bron-verschillen-{a}-{e}>` en {{ref}}`verschillen`); een parameter die niet "
                    "veranderde, heeft geen effect.",
                    "",
                    f"| alle vormen | editie {a} | definitie | peildatum | periode | editie {e} |",
                    "|---|---|---|---|---|---|",
                ]
                for label, sfx in (("aanvragen", ""), ("inwilligingen", "_inw")):
                    lines.append(
                        f"| {label} | {_glue(a, e, f'totaal_van{sfx}_tekst')} | "
                        + " | ".join(
                            _glue(a, e, f"effect_{r}{sfx}_tekst") for r in ("definitie", "peildatum", "periode")
                        )
                        + f" | {_glue(a, e, f'totaal_naar{sfx}_tekst')} |"
                    )
                lines.append("")
            fixes = corrections(e)
            if not fixes:
                lines += [f"**Correcties:** geen; de cijfers van editie {e} zijn niet gecorrigeerd.", ""]
            for c in fixes:
                lines += [
                    f"**Correctie van {one_line(c['datum'])}.** Wat er fout was: {one_line(c['wat_fout'])} "
                    f"Wat er veranderde: {one_line(c['wat_veranderd'])} Waarom: {one_line(c['waarom'])}",
                    "",
                ]
        return lines


def setup(app) -> None:
    app.add_directive("wijzigingen", Wijzigingen)
