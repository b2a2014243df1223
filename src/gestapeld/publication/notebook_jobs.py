"""The book's notebooks as jobs: one template with one parameter set each.

A job's fingerprint covers the template, the parameters (including the iteration's whole
entry in the YAML), the sha256 of the extract, the package sources and the library
versions. The executed notebook stores it in its metadata with the data source
(`gestapeld.data`: synthetic default or an extract, its sha256), so the runner re-executes
only what changed and `publish` can refuse a site whose notebooks came from different
extracts. The placeholders filled into the templates' markdown (per iteration, per
reconciliation, per data source) are defined here too.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from .. import config, provenance
from ..config import Iteration

TEMPLATES = "notebooks"
BOOK = "book"


@dataclasses.dataclass(frozen=True)
class Job:
    name: str  # e.g. "iteraties/v3"
    template: str  # file name under notebooks/
    parameters: dict  # papermill parameters
    placeholders: dict  # {{key}} in markdown cells and cell metadata
    depends: dict  # what else the output depends on (iteration specs)
    iterations: tuple[str, ...] = ()

    @property
    def output(self) -> Path:
        return config.project_root() / BOOK / f"{self.name}.ipynb"


def spec(it: Iteration) -> dict:
    d = dataclasses.asdict(it)
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else list(v) if isinstance(v, tuple) else v) for k, v in d.items()
    }


def jobs() -> list[Job]:
    its = config.iterations()
    out = [
        Job("kalibratie", "kalibratie.ipynb", {}, {}, {"v3": spec(its["v3"])} if "v3" in its else {}),
        Job("voorbeelden", "voorbeelden.ipynb", {}, {}, {}),
    ]
    for it in its.values():
        ph = {
            "id": it.id,
            "titel": it.titel,
            "verzoek": it.verzoek,
            "rationale": it.rationale,
            "tijdlijn": it.tijdlijn,
            "peildatum": it.peildatum.isoformat(),
            "methode": it.methode,
        }
        # the IND's figures shown beside the iteration (YAML `referentiecijfers`) are an input too
        ref = json.loads(json.dumps(config.section("referentiecijfers").get(it.id) or [], default=str))
        out.append(
            Job(
                f"iteraties/{it.id}",
                "iteratie.ipynb",
                {"iteratie": it.id},
                ph,
                {it.id: spec(it), "referentiecijfers": ref},
                (it.id,),
            )
        )
    for a, b in config.consecutive_pairs() + config.extra_reconciliations():
        ph = {"van": a, "naar": b, "van_titel": its[a].titel, "naar_titel": its[b].titel}
        out.append(
            Job(
                f"verschillen/{a}_{b}",
                "verschil.ipynb",
                {"van": a, "naar": b},
                ph,
                {a: spec(its[a]), b: spec(its[b])},
                (a, b),
            )
        )
    out.append(Job("overzicht", "overzicht.ipynb", {}, {}, {k: spec(v) for k, v in its.items()}, tuple(its)))
    return out


#: Placeholders that depend on the data source (filled in every template's markdown).
def source_placeholders(synthetic: bool) -> dict:
    if synthetic:
        return {
            "iter_titel": "Reconstructie met synthetische gegevens",
            "iter_aantallen": "De aantallen op deze pagina komen uit een synthetisch extract: ze laten zien wat "
            "de methode van deze cijfervraag berekent, niet wat de IND vond.",
            "iter_kalibratie": "Het synthetische extract is afgestemd op gepubliceerde totalen van de IND (zie "
            "{ref}`kalibratie`); waar de kolommen dicht bij elkaar liggen, is dat zo gemaakt "
            "en bevestigt het de cijfers van de IND niet.",
            "kal_titel": "Kalibratie van de synthetische gegevens",
            "kal_intro": "Het standaardextract is synthetisch: een simulatie van de stromen (zie {ref}`gegevens`). De simulatie is zo afgesteld dat iteratie v3 uitkomt in de buurt van cijfers die de IND en het CBS hebben gepubliceerd. Hieronder staan die gepubliceerde cijfers naast wat iteratie v3 op het synthetische extract oplevert. Een doel is gehaald als het synthetische aantal hooguit 20% afwijkt. De synthetische aantallen zijn beveiligd (zie {ref}`beveiliging`).\n\n**Overeenstemming volgt uit de afstemming.** Omdat het synthetische extract op deze cijfers is afgestemd, liggen de synthetische totalen er vanzelf dichtbij. Die overeenstemming zegt dus niets over de juistheid van de cijfers van de IND of van de methode; ze laat alleen zien dat de simulatie een realistische omvang heeft.\n\n**Wat het CBS telt.** De CBS-reeksen tellen *personen*: eerste asielaanvragen en *aangekomen* nareizigers per jaar {cite}`cbs80059ned`. Het synthetische extract heeft geen aankomstdatum; de nareisregels vergelijken daarom de aangekomen nareizigers met de ingewilligde nareisaanvragen per besluitjaar. Dat is een benadering: een ingewilligde nareiziger reist niet altijd in hetzelfde jaar, en niet iedereen reist.",
        }
    return {
        "iter_titel": "Reconstructie van de peildatum",
        "iter_aantallen": "De aantallen op deze pagina komen uit het extract van de IND waarop deze site is "
        "gebouwd, beveiligd; ze laten zien wat de methode van deze cijfervraag op dat extract "
        "berekent.",
        "iter_kalibratie": "Verschillen met de cijfers van de IND kunnen komen van de definitie, de periode en "
        "de peildatum van de eerdere publicatie.",
        "kal_titel": "Vergelijking met de gepubliceerde cijfers",
        "kal_intro": "Hieronder staan de cijfers die de IND eerder publiceerde naast wat iteratie v3 op dit "
        "extract oplevert, met de verhouding tussen beide. Een verschil is geen fout: definitie, "
        "periode en peildatum van de eerdere publicatie kunnen afwijken (zie de verschillen tussen de iteraties). "
        "De aantallen van dit extract zijn beveiligd zoals alle gepubliceerde aantallen.",
    }


def fingerprint(job: Job, data_sha: str, code_sha: str) -> str:
    tpl = config.project_root() / TEMPLATES / job.template
    return provenance.job_fingerprint(
        template=tpl, parameters={"p": job.parameters, "deps": job.depends}, data_sha256=data_sha, code_sha256=code_sha
    )


def metadata(path: Path) -> dict:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        return nb.get("metadata", {}).get("gestapeld", {})
    except (OSError, ValueError):
        return {}


def stored_fingerprint(path: Path) -> str | None:
    return metadata(path).get("fingerprint")


def recorded_sources(paths: list[Path]) -> dict[Path, dict]:
    """The data source recorded in each executed notebook ({} when none is recorded)."""
    return {p: metadata(p).get("data", {}) for p in paths}


def data_source_record(data: Path | None) -> dict:
    """What an executed notebook records about its input: kind and sha256 (no path)."""
    path = Path(data) if data is not None else config.default_data_path()
    return {"bron": "synthetisch" if data is None else "extract", "sha256": provenance.data_fingerprint(path)}
