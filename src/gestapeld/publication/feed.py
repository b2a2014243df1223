"""Editions that announce themselves: `edities.json` and an Atom feed `feed.xml` (issue 26).

Both sit at the top of the site and list every edition: id, date, status, what changed (the
YAML's words, the numbers that moved with their reason, read from the executed
reconciliation notebooks, and any correction), and a digest. An archived edition's digest is
the sha256 of its `edities/<id>/manifest.sha256` (which lists the sha256 of every file of that
edition). The current edition is the whole site: its digest is the site digest (digest.py,
the sha256 of the top manifest), written here as digest.PLACEHOLDER and stamped by
`digest.stamp` after the manifests, like every other place that shows it. Nothing here reads
a clock: dates come from the YAML, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from .. import config

ATOM = "http://www.w3.org/2005/Atom"
#: The feed's and entries' ids (tag URIs, RFC 4151): stable whatever the host of the site.
TAG = "tag:gestapeld.invalid,2024:"

#: What each parameter is called as a reason for a change (versies, herzieningen).
REASONS = ("definitie", "peildatum", "periode")

CURRENT_DIGEST_NOTE = (
    "De actuele editie is de hele site: haar digest is de sitedigest, de sha256 van manifest.sha256 "
    "bovenaan de site (zie Reproduceren)."
)


def plain(text: str) -> str:
    """YAML/MyST prose as plain text (no **bold**, no {ref}`...` roles)."""
    text = re.sub(r"\{[a-z:]+\}`([^`<]*?)\s*(?:<[^`]*>)?`", r"\1", text)
    return " ".join(text.replace("**", "").replace("*", "").split())


def reasons(a: str, b: str) -> list[str]:
    """Which parameters differ between iterations a and b (the reasons numbers move)."""
    its = config.iterations()
    x, y = its[a], its[b]
    out = []
    if x.methode != y.methode or list(x.vormen) != list(y.vormen):
        out.append("definitie")
    if x.peildatum != y.peildatum:
        out.append("peildatum")
    if x.start != y.start or x.end != y.end:
        out.append("periode")
    return out


def previous(edition: str) -> str | None:
    ids = list(config.iterations())
    i = ids.index(edition)
    return ids[i - 1] if i else None


def glued(notebook: Path) -> dict[str, object]:
    """The values an executed notebook glued (papermill records), by name."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out: dict[str, object] = {}
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            text = o.get("data", {}).get(meta.get("mime_prefix", "") + "text/plain")
            if text is not None:
                try:
                    out[meta["name"]] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    out[meta["name"]] = text
    return out


def moved_numbers(notebooks: Path, edition: str) -> list[dict]:
    """The numbers that moved from the previous edition's iteration to this one's, with the
    effect of each reason (chosen order: definition, peildatum, period), from the executed
    reconciliation notebook `verschillen/<a>_<b>.ipynb` under `notebooks`."""
    a = previous(edition)
    if a is None:
        return []
    nb = notebooks / "verschillen" / f"{a}_{edition}.ipynb"
    if not nb.is_file():
        raise FileNotFoundError(f"no executed reconciliation {a}->{edition} ({nb.name}) for the edition list")
    g = glued(nb)
    out = []
    for maat, sfx in (("aanvragen", ""), ("inwilligingen", "_inw")):
        out.append(
            {
                "maat": maat,
                "categorie": "alle",
                "van": {"editie": a, "aantal": g[f"totaal_van{sfx}_tekst"]},
                "naar": {"editie": edition, "aantal": g[f"totaal_naar{sfx}_tekst"]},
                "effecten": {r: g[f"effect_{r}{sfx}_tekst"] for r in REASONS},
                "bron": f"book/verschillen/{a}_{edition}.html",
            }
        )
    return out


def corrections(edition: str) -> list[dict]:
    """Errata of an edition (YAML `edities.<id>.correcties`): date, what was wrong, what
    changed, why. Each must say all three, or the build stops."""
    out = []
    for i, c in enumerate(config.section("edities").get(edition, {}).get("correcties") or []):
        missing = [k for k in ("datum", "wat_fout", "wat_veranderd", "waarom") if not c.get(k)]
        if missing:
            raise config.ConfigError(f"iterations.yaml: edities.{edition}.correcties[{i}] lacks {', '.join(missing)}")
        out.append(
            {
                k: str(c[k]) if k == "datum" else plain(str(c[k]))
                for k in ("datum", "wat_fout", "wat_veranderd", "waarom")
            }
        )
    return out


def manifest_digest(edition_root: Path) -> str:
    return hashlib.sha256((edition_root / "manifest.sha256").read_bytes()).hexdigest()


def editions(site: Path) -> list[dict]:
    """Every edition of the site, oldest first, as listed in edities.json and the feed."""
    its = config.iterations()
    ids = list(its)
    meta = config.section("edities")
    dates = config.edition_dates()
    out = []
    for e in ids:
        current = e == ids[-1]
        root = site if current else site / "edities" / e
        if not current and not (root / "manifest.sha256").is_file():
            continue  # `publish --no-editions`: only the editions this site holds are listed
        entry = {
            "id": e,
            "datum": dates[e].isoformat(),
            "status": str(meta.get(e, {}).get("status", "")),
            "actueel": current,
            "titel": its[e].titel,
            "pad": "index.html" if current else f"edities/{e}/index.html",
            "datapackage": "datapackage.json" if current else f"edities/{e}/datapackage.json",
            "verandering": plain(str(meta.get(e, {}).get("verandering", ""))),
            "redenen": reasons(previous(e), e) if previous(e) else [],
            "veranderde_cijfers": moved_numbers(root / "_notebooks" / "book", e),
            "correcties": corrections(e),
        }
        if current:
            from .digest import PLACEHOLDER

            entry["digest"] = {"algoritme": "sha256", "over": "manifest.sha256", "waarde": PLACEHOLDER}
            entry["digest_toelichting"] = CURRENT_DIGEST_NOTE
        else:
            entry["digest"] = {
                "algoritme": "sha256",
                "over": f"edities/{e}/manifest.sha256",
                "waarde": manifest_digest(root),
            }
        out.append(entry)
    return out


def edities_json(site: Path) -> str:
    doc = {
        "publicatie": "Gestapelde gezinshereniging",
        "actueel": list(config.iterations())[-1],
        "edities": editions(site),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _summary(e: dict) -> str:
    parts = [f"Editie {e['id']} ({e['status']}). {e['verandering']}"]
    if e["redenen"]:
        parts.append("Redenen van de verschillen met de vorige editie: " + ", ".join(e["redenen"]) + ".")
    for m in e["veranderde_cijfers"]:
        eff = "; ".join(f"{r} {v}" for r, v in m["effecten"].items())
        parts.append(
            f"{m['maat']} (alle vormen): {m['van']['aantal']} in {m['van']['editie']}, {m['naar']['aantal']} in "
            f"{m['naar']['editie']} ({eff})."
        )
    for c in e["correcties"]:
        parts.append(f"Correctie {c['datum']}: {c['wat_fout']} {c['wat_veranderd']} {c['waarom']}")
    if e["digest"]:
        parts.append(f"sha256 van {e['digest']['over']}: {e['digest']['waarde']}.")
    return " ".join(parts)


def feed_xml(site: Path) -> bytes:
    """An Atom 1.0 feed (RFC 4287) with one entry per edition, newest first."""
    ET.register_namespace("", ATOM)
    eds = editions(site)

    def sub(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "nl"})
    sub(feed, "id", TAG + "edities")
    sub(feed, "title", "Gestapelde gezinshereniging: edities")
    sub(feed, "subtitle", "Elke editie van deze publicatie, met wat er veranderde.")
    updated = max(max([e["datum"]] + [c["datum"] for c in e["correcties"]]) for e in eds)
    sub(feed, "updated", f"{updated}T00:00:00Z")
    author = sub(feed, "author")
    sub(author, "name", "gestapeld")
    sub(feed, "link", rel="self", href="feed.xml", type="application/atom+xml")
    sub(feed, "link", rel="alternate", href="index.html", type="text/html")
    sub(feed, "link", rel="related", href="edities.json", type="application/json")
    for e in reversed(eds):
        entry = sub(feed, "entry")
        sub(entry, "id", f"{TAG}editie/{e['id']}")
        sub(entry, "title", f"Editie {e['id']}: {e['titel']}{' (actueel)' if e['actueel'] else ''}")
        last = max([e["datum"]] + [c["datum"] for c in e["correcties"]])
        sub(entry, "published", f"{e['datum']}T00:00:00Z")
        sub(entry, "updated", f"{last}T00:00:00Z")
        sub(entry, "link", rel="alternate", href=e["pad"], type="text/html")
        sub(entry, "link", rel="describedby", href=e["datapackage"], type="application/json")
        sub(entry, "category", term=e["status"] or "editie")
        sub(entry, "summary", _summary(e))
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write(site: Path) -> list[Path]:
    """Write edities.json and feed.xml at the top of the site (after the editions' manifests)."""
    site = Path(site)
    (site / "edities.json").write_text(edities_json(site), encoding="utf-8")
    (site / "feed.xml").write_bytes(feed_xml(site))
    return [site / "edities.json", site / "feed.xml"]
