"""Machine-readable metadata of every download of an edition (issue 26; issue 22's CSV label).

Beside every CSV download `<name>.csv` a W3C CSV on the Web (CSVW) metadata file
`<name>.csv-metadata.json` (the name CSVW processors look for first, `{+url}-metadata.json`):
columns, datatypes, what `<10`, `x`, `–` and `0` mean, the data source and its sha256 (or
"synthetisch"), the edition, the iteration's parameters, the licence and how to cite. The XLSX
beside it gets the same notes on its sheet `toelichting`. At the top of every edition a
Frictionless `datapackage.json` lists every download with its size and sha256.

Written by `gestapeld publish` into each edition's site after Sphinx and the information sheets
ran and before the manifests, from the iteration YAML, the disclosure policy and the files
themselves: no clock, no path of the build machine, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .. import config
from ..config import FORM_LABELS, MEASURES
from ..protection import disclosure

#: The publication, as data catalogues name it (DCAT title, Frictionless package name).
TITLE = "Gestapelde gezinshereniging"
PACKAGE_NAME = "gestapelde-gezinshereniging"

#: Categories of the long table besides the four forms (report.long_table).
EXTRA_CATEGORIES = {
    "alle": "alle meegetelde vormen samen (personen: verschillende referenten, geen som)",
    "nareis_totaal": "alle nareisaanvragen in dezelfde periode (referentietotaal; alleen aanvragen en inwilligingen)",
}

MEASURE_TEXT = {
    "aanvragen": "aantal gestapelde aanvragen",
    "inwilligingen": "waarvan op de peildatum ingewilligd",
    "afwijzingen": "waarvan op de peildatum afgewezen",
    "overig_beeindigd": "waarvan op de peildatum ingetrokken of buiten behandeling gesteld",
    "lopend": "waarvan op de peildatum nog zonder besluit",
    "personen": "verschillende referenten met ten minste één zo'n aanvraag",
}

_TABLE = re.compile(r"^(?P<it>[A-Za-z0-9]+)_tabel\.csv$")


class MetadataError(RuntimeError):
    """A download without a description (the build stops, naming the file)."""


def publication_settings() -> dict:
    """Licence, publisher and contact of the downloads (YAML section `publicatie`)."""
    pub = config.section("publicatie")
    missing = [k for k in ("licentie", "licentie_url", "licentie_naam", "uitgever") if not pub.get(k)]
    if missing:
        raise config.ConfigError(f"iterations.yaml: publicatie is missing {', '.join(missing)}")
    return pub


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def symbol_notes(policy: disclosure.Policy = disclosure.DEFAULT) -> dict[str, str]:
    """What each value of `aantal` that is not a plain count means: the words of the notes under
    the tables on the pages (publication.symbols), and what `0` and `–` mean in the CSV."""
    from . import symbols

    words = symbols.meanings("nl")
    return {
        policy.symbol: f"minder dan {policy.threshold}: {words['<10']}",
        policy.secondary: f"afgeschermd: {words['x']}",
        "–": f"{words['–']}; in het CSV-bestand ontbreekt die regel, het teken staat alleen in de tabellen op de "
        "pagina's",
        "0": "werkelijk nul: geen enkele aanvraag; een nul verraadt niemand en wordt getoond (in een vorm en jaar met "
        f"1 tot en met {policy.threshold - 1} aanvragen staat ook een nul als {policy.symbol})",
    }


def source_text(source: dict[str, str]) -> str:
    """The data source as a reader sees it: 'synthetisch' or the extract with its sha256."""
    if source["bron"] == "synthetisch":
        return "synthetisch (een simulatie, geen gegevens van de IND)"
    return f"extract van de IND, gegevens tot en met {source['peildatum']}, sha256 {source['sha256']}"


def edition_label(edition: str) -> str:
    its = config.iterations()
    current = list(its)[-1]
    return f"editie {edition} ({its[edition].tijdlijn}{', actueel' if edition == current else ', gearchiveerd'})"


def _parameters(it: config.Iteration) -> list[tuple[str, str]]:
    return [
        ("methode", it.methode),
        ("vormen", ", ".join(it.vormen)),
        ("periode (aanvraagdatum)", f"{it.start.isoformat()} t/m {it.end.isoformat()}"),
        ("peildatum", it.peildatum.isoformat()),
    ]


def citation(it: config.Iteration, edition: str, name: str, sha: str) -> str:
    date = config.edition_dates()[edition]
    return (
        f"{TITLE}, {edition_label(edition)}, {config.datum_nl(date)}: tabel {name} van iteratie {it.id} "
        f"({it.titel}), sha256 {sha}."
    )


def notes_rows(it: config.Iteration, edition: str, source: dict[str, str], name: str, sha: str) -> list[list[str]]:
    """(onderwerp, toelichting) rows: the sheet `toelichting` of the XLSX, and in the CSVW file."""
    pub = publication_settings()
    policy = disclosure.DEFAULT
    rows = [
        ["tabel", f"{name}: iteratie {it.id}, {it.titel}"],
        ["editie", f"{edition_label(edition)}, {config.datum_nl(config.edition_dates()[edition])}"],
        ["gegevens", source_text(source)],
        *[[f"parameter: {k}", v] for k, v in _parameters(it)],
        ["statistische beveiliging", policy.describe()],
        ["afronding", "afgeronde delen tellen niet altijd op tot het afgeronde totaal"],
        *[[f"teken {k}", v] for k, v in symbol_notes(policy).items()],
        ["licentie", f"{pub['licentie_naam']} ({pub['licentie_url']})"],
        ["uitgever", pub["uitgever"]],
        ["citeren", citation(it, edition, name, sha)],
    ]
    return rows


def _string(pattern: str) -> dict:
    return {"base": "string", "format": pattern}


def _alternatives(values: list[str]) -> str:
    return "^(?:" + "|".join(re.escape(v) for v in values) + ")$"


def _columns(it: config.Iteration) -> list[dict]:
    """The four columns of `categorie,jaar,maat,aantal`, with the values each may take."""
    policy = disclosure.DEFAULT
    categories = [*it.vormen, "alle", "nareis_totaal"]
    cat_text = "; ".join(
        [f"{c}: {FORM_LABELS[c]}" for c in it.vormen] + [f"{c}: {t}" for c, t in EXTRA_CATEGORIES.items()]
    )
    base = policy.base
    count = f"0|[1-9][0-9]*{'0' * (len(str(base)) - 1)}" if base in (10, 100, 1000) else "[0-9]+"
    symbols = [policy.symbol, policy.secondary, "–"]
    return [
        {
            "name": "categorie",
            "titles": "categorie",
            "dc:description": f"vorm van stapeling of totaal: {cat_text}",
            "datatype": _string(_alternatives(categories)),
            "required": True,
        },
        {
            "name": "jaar",
            "titles": "jaar",
            "dc:description": "kalenderjaar van de aanvraagdatum, of 'totaal' voor de hele periode "
            "(personen hebben geen periodetotaal)",
            "datatype": _string("^(?:[0-9]{4}|totaal)$"),
            "required": True,
        },
        {
            "name": "maat",
            "titles": "maat",
            "dc:description": "; ".join(f"{m}: {MEASURE_TEXT[m]}" for m in MEASURES),
            "datatype": _string(_alternatives(list(MEASURES))),
            "required": True,
        },
        {
            "name": "aantal",
            "titles": "aantal",
            "dc:description": f"beveiligd aantal, afgerond op {base}-tallen, of een teken: "
            + "; ".join(f"'{k}' = {v}" for k, v in symbol_notes(policy).items()),
            "datatype": _string("^(?:" + count + "|" + "|".join(re.escape(s) for s in symbols) + ")$"),
            "required": True,
        },
    ]


def csvw(csv: Path, it: config.Iteration, edition: str, source: dict[str, str]) -> dict:
    """The CSVW metadata of one CSV download (W3C, Metadata Vocabulary for Tabular Data)."""
    pub = publication_settings()
    sha = _sha256(csv)
    date = config.edition_dates()[edition]
    source_node = {"rdfs:label": source_text(source)}
    if source["bron"] != "synthetisch":
        source_node["@id"] = f"urn:sha256:{source['sha256']}"
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "nl"}],
        "url": csv.name,
        "dc:title": f"{TITLE}: iteratie {it.id}, {it.titel}",
        "dc:description": f"Beveiligde tabel van iteratie {it.id} ({it.titel}) in {edition_label(edition)}. "
        f"Gegevens: {source_text(source)}.",
        "dc:issued": {"@value": date.isoformat(), "@type": "xsd:date"},
        "dc:publisher": pub["uitgever"],
        "dc:license": {"@id": pub["licentie_url"]},
        "dc:source": source_text(source),
        "prov:wasDerivedFrom": source_node,
        "dc:temporal": f"{it.start.isoformat()}/{it.end.isoformat()}",
        "dc:bibliographicCitation": citation(it, edition, csv.name, sha),
        "schema:version": edition,
        "schema:isPartOf": edition_label(edition),
        "schema:additionalProperty": [{"schema:name": k, "schema:value": v} for k, v in _parameters(it)],
        "rdfs:comment": [f"{k}: {v}" for k, v in notes_rows(it, edition, source, csv.name, sha)],
        "dialect": {"encoding": "utf-8", "header": True, "delimiter": ",", "lineTerminators": ["\n"]},
        "tableSchema": {
            "columns": _columns(it),
            "primaryKey": ["categorie", "jaar", "maat"],
        },
    }


def frictionless_schema(it: config.Iteration) -> dict:
    """The same columns as a Frictionless Table Schema (for datapackage.json)."""
    fields = []
    for col in _columns(it):
        fields.append(
            {
                "name": col["name"],
                "type": "string",
                "description": col["dc:description"],
                "constraints": {"required": True, "pattern": col["datatype"]["format"].strip("^$")},
            }
        )
    return {"fields": fields, "primaryKey": ["categorie", "jaar", "maat"]}


def _dump(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _iteration_of(csv: Path) -> config.Iteration:
    m = _TABLE.match(csv.name)
    its = config.iterations()
    if m is None or m["it"] not in its:
        raise MetadataError(
            f"download {csv.name} has no description: only <iteratie>_tabel.csv is known "
            "(add its columns to gestapeld.publication.metadata)"
        )
    return its[m["it"]]


def write_edition(site: Path, edition: str, source: dict[str, str]) -> list[Path]:
    """Write the CSVW files, the XLSX notes and datapackage.json of one edition's site."""
    from .downloads import replace_sheet

    site = Path(site)
    pub = publication_settings()
    written: list[Path] = []
    resources: list[dict] = []
    for csv in sorted(site.glob("_downloads/*/*.csv")):
        it = _iteration_of(csv)
        meta = csvw(csv, it, edition, source)
        side = csv.with_name(csv.name + "-metadata.json")
        side.write_text(_dump(meta), encoding="utf-8")
        written.append(side)
        sha = _sha256(csv)
        xlsx = next(iter(sorted(site.glob(f"_downloads/*/{csv.stem}.xlsx"))), None)  # Sphinx: own folder
        rel = csv.relative_to(site).as_posix()
        stem = csv.stem.replace("_", "-").lower()
        resources.append(
            {
                "name": stem,
                "path": rel,
                "title": meta["dc:title"],
                "description": f"CSV (UTF-8, komma's); betekenis van de tekens in het schema en in {side.name}.",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv.stat().st_size,
                "hash": f"sha256:{sha}",
                "schema": frictionless_schema(it),
            }
        )
        if xlsx is not None:
            replace_sheet(
                xlsx, "toelichting", [["onderwerp", "toelichting"], *notes_rows(it, edition, source, csv.name, sha)]
            )
            resources.append(
                {
                    "name": f"{stem}-xlsx",
                    "path": xlsx.relative_to(site).as_posix(),
                    "title": f"{meta['dc:title']} (Excel)",
                    "description": "Dezelfde tabel als werkmap; het blad 'toelichting' heeft de toelichting.",
                    "format": "xlsx",
                    "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "bytes": xlsx.stat().st_size,
                    "hash": f"sha256:{_sha256(xlsx)}",
                    "dialect": {"excel": {"sheet": "tabel"}},
                    "schema": frictionless_schema(it),
                }
            )
        resources.append(
            {
                "name": f"{stem}-csvw",
                "path": side.relative_to(site).as_posix(),
                "title": f"CSVW-metadata van {csv.name}",
                "format": "json",
                "mediatype": "application/csvm+json",
                "bytes": side.stat().st_size,
                "hash": f"sha256:{_sha256(side)}",
            }
        )
    for sql in sorted(site.glob("_downloads/*/*.sql")):  # the counting rules (Methode)
        resources.append(
            {
                "name": f"sql-{sql.stem.replace('_', '-').lower()}",
                "path": sql.relative_to(site).as_posix(),
                "title": f"Telregel {sql.name} (DuckDB-SQL)",
                "format": "sql",
                "mediatype": "application/sql",
                "bytes": sql.stat().st_size,
                "hash": f"sha256:{_sha256(sql)}",
            }
        )
    if not any(r["format"] == "csv" for r in resources):
        raise MetadataError(f"edition {edition}: no CSV download found in _downloads/")
    pdf = site / "informatieblad" / "informatieblad.pdf"
    if pdf.is_file():
        resources.append(
            {
                "name": "informatieblad",
                "path": "informatieblad/informatieblad.pdf",
                "title": f"Informatieblad, {edition_label(edition)}",
                "description": "Twee pagina's A4. Het informatieblad toont de sitedigest en krijgt die pas na "
                "de controlegetallen (digest.py); daarom staan grootte en sha256 hier niet, maar in "
                "manifest.sha256.",
                "format": "pdf",
                "mediatype": "application/pdf",
            }
        )
    its = config.iterations()
    package = {
        "name": f"{PACKAGE_NAME}-{edition.lower()}",
        "title": f"{TITLE}, {edition_label(edition)}",
        "description": f"De downloads van {edition_label(edition)}: de beveiligde tabellen van de iteraties "
        f"tot en met {edition}. Gegevens: {source_text(source)}.",
        "version": edition,
        "created": f"{config.edition_dates()[edition].isoformat()}T00:00:00Z",
        "licenses": [{"name": pub["licentie"], "path": pub["licentie_url"], "title": pub["licentie_naam"]}],
        "sources": [{"title": source_text(source)}],
        "contributors": [{"title": pub["uitgever"], "role": "publisher"}],
        "keywords": ["nareis", "gezinshereniging", "asiel", its[edition].id],
        "resources": resources,
    }
    dp = site / "datapackage.json"
    dp.write_text(_dump(package), encoding="utf-8")
    written.append(dp)
    return written
