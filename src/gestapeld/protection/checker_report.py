"""The report for the output checker: the second person who approves a release built on a
confidential extract (the usual practice in secure environments).

Per page: every hidden cell with the values a reader can still narrow it to (the exact
audit's smallest and largest value, and how many values are possible), what secondary
suppression hid (cells, and the sum of their exact counts: information lost), and what
changed against the previous edition. It contains exact counts (the ranges include the
true value) and is written by `gestapeld book --data` outside the site; it is never
published. Pure: the publication layer passes the pages in.
"""

from __future__ import annotations

from . import disclosure_audit as da


def _count(values: int, need: int) -> str:
    # the audit counts possible values exactly up to the policy's minimum
    return f"{values}" if values < need else f"{need} of meer"


def _range(f: da.Feasible, need: int) -> str:
    return f"{f.lo}..{f.hi} ({_count(f.values, need)} mogelijke waarden)"


def render(pages, policy) -> str:
    """Markdown. `pages`: per edition in order, (id, published cells, exact values, structure)."""
    out = [
        "# Controle van de statistische beveiliging (niet publiceren)",
        "",
        "Dit verslag bevat exacte aantallen van het extract en is alleen voor de tweede persoon die de",
        "publicatie goedkeurt. Per pagina: de afgeschermde cellen met wat een lezer er nog over kan weten,",
        "het informatieverlies door extra afscherming (`x`) en de verschillen met de vorige editie.",
        "",
    ]
    prev = None
    for pid, cells, exact, struct in pages:
        values = da.lp_values(cells, struct, policy, exact=exact, full=True)
        n_x, lost = da.information_lost(cells, exact, policy)
        total = sum(exact.get(k, 0) for k in cells)
        narrowest = min((f.values for f in values.values() if f.hi > 0), default=None)
        narrow_text = "-" if narrowest is None else _count(narrowest, policy.min_values)
        out += [
            f"## Pagina {pid}",
            "",
            f"- gepubliceerde cellen: {len(cells)}; afgeschermd: {len(values)} "
            f"(`{policy.symbol}`: {sum(v.startswith('<') for v in cells.values())}, `{policy.secondary}`: {n_x})",
            f"- informatieverlies door extra afscherming: {n_x} cellen, samen {lost} "
            f"({lost / total:.1%} van de som van alle cellen)".replace(".", ",")
            if total
            else f"- informatieverlies: {n_x} cellen",
            f"- nauwste afgeschermde cel: {narrow_text} mogelijke waarden (minimum {policy.min_values})",
            "",
            "| cel | gepubliceerd | exact | mogelijk volgens een lezer |",
            "|---|---|---|---|",
        ]
        for k in sorted(values):
            out.append(
                f"| {' / '.join(k)} | {cells[k]} | {exact.get(k, '')} | {_range(values[k], policy.min_values)} |"
            )
        out.append("")
        if prev is not None:
            ppid, pcells, pexact = prev
            common = sorted(set(cells) & set(pcells))
            changed = [k for k in common if cells[k] != pcells[k]]
            kept = [k for k in common if cells[k] == pcells[k] == policy.secondary]
            out += [
                f"Verschillen met {ppid}: {len(changed)} van de {len(common)} gemeenschappelijke cellen anders "
                f"gepubliceerd; {len(kept)} cellen in beide edities `{policy.secondary}`; "
                f"{len(set(cells) - set(pcells))} nieuwe cellen.",
                "",
            ]
            if changed:
                out += [
                    "| cel | " + ppid + " | " + pid + " | exact " + ppid + " | exact " + pid + " |",
                    "|---|---|---|---|---|",
                ]
                for k in changed:
                    out.append(
                        f"| {' / '.join(k)} | {pcells[k]} | {cells[k]} | {pexact.get(k, '')} | {exact.get(k, '')} |"
                    )
                out.append("")
        prev = (pid, cells, exact)
    return "\n".join(out) + "\n"
