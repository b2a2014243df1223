"""The information sheet (informatieblad) of every edition: a self-contained page and its PDF.

`gestapeld publish` calls `build_all(site)` after the archived editions are in place: for
each edition it writes `informatieblad/index.html` next to the edition's own `index.html`
(the current edition at the root of the site, earlier ones under `edities/<id>/`) and
prints it to `informatieblad/informatieblad.pdf` with headless Chromium (A4, 2 to 4 pages).

The sheet holds only published values: the protected table of `report.published_wide`, the
rounded totals of `report.total`, the published shares, the reconciliation with the
previous edition (`reconcile.decomposition`) and the provenance table. Before writing, each
edition's headline totals are compared with the values glued into its executed notebook, so
the sheet cannot silently disagree with the website (for example when the notebooks were
executed on another extract than the one `report` finds now).

The PDF is reproducible: Chromium's creation and modification dates are replaced by
SOURCE_DATE_EPOCH (same length, so the cross-reference table stays valid); nothing else in
Chromium's output varies between runs (tests/test_informatieblad.py prints twice).

`python -m gestapeld.informatieblad --screenshots` writes the screenshots of the README
(docs/screenshots/) from the built site; `--preview DIR` writes the sheets of all editions
to DIR without touching the site.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import config, disclosure, reconcile, report
from .config import FORM_LABELS, Iteration

FOLDER = "informatieblad"
PDF_NAME = "informatieblad.pdf"
#: The day the IND published its information sheet; the default SOURCE_DATE_EPOCH of the build.
DEFAULT_EPOCH = 1708041600
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-extensions", "--mute-audio", "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
]
MEASURE_HEADERS = {
    "aanvragen": "aanvragen", "inwilligingen": "ingewilligd", "afwijzingen": "afgewezen",
    "overig_beeindigd": "overig beëindigd", "lopend": "lopend", "personen": "referenten",
}
METHOD_LABELS = {"longitudinal": "tijdreeks", "cross_sectional": "dwarsdoorsnede (huidige vergunning)"}


class InformatiebladError(RuntimeError):
    pass


# ------------------------------------------------------------------- where things go


def edition_folder(site: Path, edition: str) -> Path:
    """The folder of an edition in the site: the root for the current (last) edition."""
    ids = list(config.iterations())
    return Path(site) if edition == ids[-1] else Path(site) / "edities" / edition


def chromium() -> str:
    """The Chromium to print with: $GESTAPELD_CHROMIUM, else `chromium` on PATH."""
    exe = os.environ.get("GESTAPELD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise InformatiebladError(
            "informatieblad: Chromium not found (needed to print the PDF); install it with "
            "`apt-get install chromium` or set GESTAPELD_CHROMIUM to its path")
    return exe


def source_date() -> dt.datetime:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)


# ------------------------------------------------------------------- numbers


def _glued(notebook: Path) -> dict[str, str]:
    """Values glued into an executed notebook (name -> text as the site shows it)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out = {}
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = o.get("data", {})
                text = data.get("application/papermill.record/text/plain", data.get("text/plain", ""))
                out[name] = "".join(text) if isinstance(text, list) else str(text)
    return out


def check_against_site(it: Iteration) -> None:
    """The sheet's totals must be the website's: compare with the executed notebook."""
    nb = config.project_root() / "book" / "iteraties" / f"{it.id}.ipynb"
    if not nb.is_file():
        raise InformatiebladError(f"informatieblad {it.id}: executed notebook {nb.name} not found; run `gestapeld run`")
    glued = _glued(nb)
    for key in ("alle_aanvragen", "alle_inwilligingen"):
        cat, maat = key.split("_", 1)
        ours = str(report.total(it, cat, maat))
        if key in glued and glued[key].strip("'\"") != ours:
            raise InformatiebladError(
                f"informatieblad {it.id}: {key} is {ours} now but {glued[key]} on the website "
                "(book/iteraties/{0}.ipynb); were the notebooks executed on another extract or "
                "older code? Run `gestapeld run` (with the same --data) before publishing".format(it.id))


def _num(v) -> str:
    return str(v)


def _share_rows(it: Iteration) -> list[tuple[str, str]]:
    t = report.share_table(it)
    return [(str(p), str(a)) for p, a in zip(t.index, t["aandeel"])]


def period_text(it: Iteration) -> str:
    """'2019-2023' for whole calendar years, else the dates."""
    if (it.start.month, it.start.day, it.end.month, it.end.day) == (1, 1, 12, 31):
        return f"{it.start.year}-{it.end.year}"
    return f"{it.start.isoformat()} t/m {it.end.isoformat()}"


def _effect(v) -> str:
    if v is None or v != v:
        return ""
    return f"{int(v):+d}"


# ------------------------------------------------------------------- the page


CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-left { content: "%(footer)s"; font: 7.5pt "DejaVu Sans", sans-serif; color: #444; }
  @bottom-right { content: "pagina " counter(page) " van " counter(pages); font: 7.5pt "DejaVu Sans", sans-serif; color: #444; } }
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { font: 10pt/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; background: #fff; }
body { margin: 0 auto; max-width: 52rem; padding: 1rem; }
header.kop { border-bottom: 2px solid #1a4f8b; margin-bottom: .8rem; }
header.kop p { margin: .2rem 0; }
h1 { font-size: 16pt; line-height: 1.2; margin: 0 0 .3rem; color: #0b2e59; }
h2 { font-size: 12.5pt; margin: 1.1rem 0 .4rem; color: #0b2e59; break-after: avoid; }
p, li { orphans: 3; widows: 3; }
.sub { color: #333; }
.let-op { border: 2px solid #8a4b00; background: #fff6e5; padding: .5rem .7rem; margin: .8rem 0; break-inside: avoid; }
.let-op strong:first-child { color: #6b3a00; }
.antwoord { font-size: 11pt; }
.tabel { overflow-x: auto; margin: .4rem 0 .8rem; }
table { border-collapse: collapse; width: 100%%; font-size: 8.6pt; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: .2rem 0; caption-side: top; }
th, td { border-bottom: 1px solid #c8c8c8; padding: .15rem .35rem; vertical-align: top; }
thead th { border-bottom: 1.5px solid #333; text-align: right; }
thead th:first-child, thead th.tekst { text-align: left; }
td.getal { text-align: right; white-space: nowrap; }
tbody th { text-align: left; font-weight: normal; }
table.uitkomsten tbody th, table.uitkomsten td { white-space: nowrap; }
tr.totaal th, tr.totaal td { font-weight: bold; border-bottom: 1.5px solid #333; }
tr { break-inside: avoid; }
td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }
.bron { font-size: 8.5pt; color: #333; }
footer.voet { margin-top: 1.2rem; border-top: 1px solid #999; padding-top: .4rem; font-size: 8.5pt; color: #333; }
@media print { body { max-width: none; padding: 0; } .tabel { overflow: visible; } }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _table(caption: str, headers: list[str], rows: list[tuple[list, str]], *, label: str,
           numeric_from: int = 1, header_cols: int = 1, css: str = "") -> str:
    """A table in a labelled scroll box; `rows` are (cells, css class of the row)."""
    cls = f' class="{css}"' if css else ""
    out = [f'<div class="tabel" role="region" aria-label="{_e(label)}" tabindex="0">',
           f"<table{cls}><caption>{_e(caption)}</caption><thead><tr>"]
    for i, h in enumerate(headers):
        cls = "" if i >= numeric_from else ' class="tekst"'
        out.append(f'<th scope="col"{cls}>{_e(h)}</th>')
    out.append("</tr></thead><tbody>")
    for cells, cls in rows:
        out.append(f'<tr class="{cls}">' if cls else "<tr>")
        for i, c in enumerate(cells):
            if i < header_cols:
                out.append(f'<th scope="row">{_e(c)}</th>')
            elif i >= numeric_from:
                out.append(f'<td class="getal">{_e(c)}</td>')
            else:
                out.append(f"<td>{_e(c)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _result_table(it: Iteration) -> str:
    wide = report.published_wide(it)
    measures = [m for m in config.MEASURES if m in wide.columns]
    rows = []
    for r in wide.itertuples(index=False):
        d = r._asdict()
        cells = [FORM_LABELS.get(d["categorie"], d["categorie"]), d["jaar"], *[d[m] for m in measures]]
        rows.append((cells, "totaal" if d["jaar"] == "totaal" else ""))
    return _table(
        f"Tabel 2. Gestapelde aanvragen per vorm en jaar van de aanvraag, editie {it.id} (beveiligd)",
        ["vorm", "jaar", *[MEASURE_HEADERS[m] for m in measures]], rows,
        label="Tabel 2: aanvragen per vorm en jaar", numeric_from=2, header_cols=1, css="uitkomsten")


def _comparison(it: Iteration) -> str:
    """The IND's figures of this edition's own request (none for v0 and v2), beside ours."""
    from . import referentie
    t = referentie.table(it)
    if t.empty:
        return ("<p>Bij deze cijfervraag zijn geen cijfers van de IND openbaar; tabel 1 ontbreekt daarom in "
                "dit informatieblad.</p>")
    rows = [([g, r["IND"], r["bron"], r.iloc[-1]], "") for g, r in t.iterrows()]
    note = ("<p>Het synthetische extract is afgestemd op gepubliceerde totalen van de IND: waar de kolommen dicht "
            "bij elkaar liggen, is dat zo gemaakt en bevestigt het de cijfers van de IND niet.</p>")
    return _table("Tabel 1. Cijfers van de IND bij deze cijfervraag naast de synthetische cijfers van deze editie",
                  ["gegeven", "IND", "bron", f"deze editie ({it.id}, synthetisch, beveiligd)"],
                  rows, label="Tabel 1: vergelijking met de IND-cijfers", numeric_from=99, header_cols=1) + note


def _differences(prev: Iteration | None, it: Iteration) -> str:
    if prev is None:
        return ("<p>Dit is de eerste cijfervraag: er is geen vorige editie om mee te vergelijken. "
                "De volgende edities zijn steeds afgezet tegen hun voorganger.</p>")
    dec = {m: reconcile.decomposition(prev, it, maat=m) for m in ("aanvragen", "inwilligingen")}
    for m, d in dec.items():
        if not reconcile.check_lands_on_b(d, it, m):
            raise InformatiebladError(f"informatieblad {it.id}: reconciliation {prev.id}->{it.id} ({m}) does not land on {it.id}")
    def definition(x: Iteration) -> str:
        n = len(x.vormen)
        return f"{METHOD_LABELS[x.methode]}, {n} {'vorm' if n == 1 else 'vormen'}"

    def moved(name: str, old: str, new: str) -> str:
        return f"{name}: {old} → {new}" if old != new else f"{name}: ongewijzigd ({new})"

    what = {
        "start": f"vorige editie {prev.id}",
        "definitie": moved("definitie", definition(prev), definition(it)),
        "peildatum": moved("peildatum", prev.peildatum.isoformat(), it.peildatum.isoformat()),
        "periode": moved("periode", period_text(prev), period_text(it)),
    }
    rows = []
    a, i = dec["aanvragen"], dec["inwilligingen"]
    for k in range(len(a)):
        step = a.loc[k, "stap"]
        rows.append(([what[step], _num(a.loc[k, "totaal"]), _effect(a.loc[k, "effect"]),
                      _num(i.loc[k, "totaal"]), _effect(i.loc[k, "effect"])], ""))
    total_a = a.iloc[-1]["totaal"]
    total_i = i.iloc[-1]["totaal"]
    intro = (f"<p>Van editie {prev.id} naar {it.id} verschuift telkens één parameter: eerst de definitie, dan de "
             f"peildatum, dan de periode. Elk effect is het verschil tussen twee beveiligde (afgeronde) totalen, "
             f"dus de stappen tellen precies op tot het totaal van {it.id}: {_e(total_a)} aanvragen en "
             f"{_e(total_i)} inwilligingen, alle meegetelde vormen.</p>")
    return intro + _table(
        f"Tabel 3. Van editie {prev.id} naar {it.id}, alle meegetelde vormen (totaal na elke stap en effect)",
        ["stap", "aanvragen", "effect", "ingewilligd", "effect"], rows,
        label=f"Tabel 3: verschillen {prev.id} naar {it.id}", numeric_from=1, header_cols=1)


def _provenance(it: Iteration) -> str:
    prov = report.provenance_table(it, "iteratie.ipynb")
    out = ['<div class="tabel" role="region" aria-label="Tabel 4: herkomst" tabindex="0">',
           "<table><caption>Tabel 4. Herkomst van de cijfers</caption>",
           '<thead><tr><th scope="col" class="tekst">herkomst</th><th scope="col" class="tekst">waarde</th></tr></thead><tbody>']
    for key, value in zip(prov.index, prov["waarde"]):
        cls = ' class="hash"' if re.fullmatch(r"[0-9a-f]{64}", str(value)) else ""
        out.append(f'<tr><th scope="row">{_e(key)}</th><td{cls}>{_e(value)}</td></tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def page(edition: str) -> str:
    """The self-contained HTML of one edition's information sheet."""
    its = config.iterations()
    ids = list(its)
    it = its[edition]
    prev = its[ids[ids.index(edition) - 1]] if ids.index(edition) > 0 else None
    current = edition == ids[-1]
    check_against_site(it)
    vormen = ", ".join(FORM_LABELS[f] for f in it.vormen)
    period = period_text(it)
    n_a, n_i = report.total(it, "alle", "aanvragen"), report.total(it, "alle", "inwilligingen")
    shares = _share_rows(it)
    pol = disclosure.DEFAULT
    synthetic = report.is_synthetic()
    status = "actuele editie" if current else f"gearchiveerde editie; de actuele editie is {ids[-1]}"
    title = f"Gestapelde gezinshereniging: informatieblad {it.id}"
    footer = f"Informatieblad gestapelde gezinshereniging · editie {it.id} ({it.tijdlijn})"
    if synthetic:
        footer += " · synthetische gegevens"

    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        '<link rel="icon" href="data:,">',
        f"<style>{CSS % {'footer': footer.replace(chr(34), '')}}</style>",
        "</head>",
        "<body>",
        '<header class="kop">',
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(it.titel)}: de cijfervraag van {_e(it.tijdlijn)} ({_e(status)}). '
        f"Peildatum {_e(it.peildatum.isoformat())}; aanvragen van {_e(period)}.</p>",
        "</header>",
        "<main>",
    ]
    if synthetic:
        parts.append(
            '<div class="let-op" role="note"><p><strong>Let op: synthetische gegevens.</strong> '
            "De aantallen in dit informatieblad komen uit een <strong>synthetisch extract</strong>: een simulatie "
            "met dezelfde opbouw als een extract van de IND, afgestemd op gepubliceerde totalen. "
            "Het zijn <strong>geen cijfers van de IND</strong>. Cijfers die de IND bij deze cijfervraag "
            "bekendmaakte, staan, voor zover openbaar, in tabel 1.</p></div>")
    else:
        parts.append('<div class="let-op" role="note"><p><strong>Gegevens:</strong> extract van de IND; '
                     "alle aantallen zijn beveiligd (afgerond).</p></div>")
    share_label = {"hele periode van de iteratie": f"over {period}", "2019 t/m 2022": "over 2019-2022"}
    share_text = " en ".join(f"{_e(a)} {_e(share_label.get(p, p))}" for p, a in shares)
    parts += [
        "<section aria-labelledby=\"h-antwoord\">",
        '<h2 id="h-antwoord">Wat deze editie berekent</h2>',
        '<p><strong>Reconstructie.</strong> De peildatum is gekozen door deze publicatie; de bronnen noemen geen '
        'dagen. ' + ('De opzet van deze eerste cijfervraag is een illustratieve reconstructie. '
                     if it.methode == "cross_sectional" else '') + '</p>',
        f'<p class="antwoord">Met de definitie van editie {_e(it.id)} ({_e(METHOD_LABELS[it.methode])}; '
        f"vormen: {_e(vormen)}) geeft het extract <strong>{_e(n_a)}</strong> gestapelde aanvragen uit {_e(period)}, waarvan "
        f"<strong>{_e(n_i)}</strong> op de peildatum {_e(it.peildatum.isoformat())} ingewilligd.</p>",
    ]
    if "nareis_op_nareis" in it.vormen:
        parts.append(
            f"<p>Daarvan <em>nareis op nareis</em>: {_e(report.total(it, 'nareis_op_nareis', 'aanvragen'))} aanvragen, "
            f"{_e(report.total(it, 'nareis_op_nareis', 'inwilligingen'))} ingewilligd. Aandeel van ingewilligde "
            f"nareis op nareis in alle ingewilligde nareisaanvragen: {share_text}.</p>")
    parts += [
        _comparison(it),
        "</section>",
        "<section aria-labelledby=\"h-tabel\">",
        '<h2 id="h-tabel">Uitkomsten per vorm en jaar</h2>',
        "<p>Per vorm en jaar van de aanvraag: aanvragen, en wat daarvan op de peildatum is ingewilligd, afgewezen, "
        "overig beëindigd of nog lopend, en het aantal verschillende referenten. <em>Alle nareis</em> is ter "
        "vergelijking het totaal van alle nareisaanvragen, gestapeld of niet. Totalen zijn afgerond vanuit exacte "
        "totalen, dus afgeronde delen tellen niet altijd op; referenten hebben geen totaal over de periode.</p>",
        _result_table(it),
        "</section>",
        "<section aria-labelledby=\"h-methode\">",
        '<h2 id="h-methode">De methode in het kort</h2>',
        "<ul>",
        "<li>Een aanvraag voor gezinshereniging X (nareis of artikel 8 EVRM) met referent B is <em>gestapeld</em> "
        "als B zelf eerder via gezinshereniging bij asiel is toegelaten (de eerste stap). De vorm heet naar de "
        "procedures van beide stappen: nareis op nareis, nareis na 8 EVRM, 8 EVRM na nareis, 8 EVRM na 8 EVRM.</li>",
        "<li><strong>Tijdreeks</strong>: elke persoon wordt gevolgd over alle eerdere procedures, zodat de eerste "
        "stap ook gevonden wordt als er later andere besluiten volgden. <strong>Dwarsdoorsnede</strong> (alleen "
        "de eerste, ad hoc cijfervraag, v0): alleen de huidige vergunning van de referent op de peildatum telt.</li>",
        "<li>Een aanvraag telt in het jaar van de aanvraagdatum; de uitkomst (ingewilligd, afgewezen, overig "
        "beëindigd of lopend) is de stand op de peildatum.</li>",
        f"<li>Statistische beveiliging: {_e(pol.describe())}; ook alle maten van een vorm en jaar met minder dan "
        f"{pol.threshold} aanvragen zijn afgeschermd.</li>",
        "</ul>",
        "</section>",
        "<section aria-labelledby=\"h-verschil\">",
        '<h2 id="h-verschil">Verschillen met de vorige editie</h2>',
        _differences(prev, it),
        "</section>",
        "<section aria-labelledby=\"h-herkomst\">",
        '<h2 id="h-herkomst">Herkomst</h2>',
        "<p>Elk getal komt uit dezelfde code en hetzelfde extract als de website: de parameters van de cijfervraag, "
        "de vingerafdruk (sha256) van het extract en van de code, en de versies van de gebruikte software.</p>",
        _provenance(it),
        "</section>",
        "</main>",
        '<footer class="voet">',
        # no links: Chromium would write them into the PDF as file:// paths of the build machine
        f"<p>Gemaakt door <code>gestapeld publish</code> uit de iteratie {_e(it.id)}. De volledige uitleg, figuren "
        f"en downloads staan op de website bij deze editie: pagina <em>Iteratie {_e(it.id)}</em> "
        f"(<code>book/iteraties/{_e(it.id)}.html</code>); de bronnen op de pagina <em>Bronnen</em>. "
        "Dit blad staat ook als pdf naast deze pagina (<code>informatieblad.pdf</code>).</p>",
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# ------------------------------------------------------------------- printing


_DATE = re.compile(rb"/(CreationDate|ModDate) ?\(D:(\d{14})([^)]*)\)")


def fix_dates(pdf: bytes, when: dt.datetime) -> bytes:
    """Set the PDF's creation and modification dates to `when` (UTC), keeping byte offsets."""
    stamp = when.astimezone(dt.timezone.utc).strftime("%Y%m%d%H%M%S").encode()

    def sub(m: re.Match) -> bytes:
        old = m.group(0)
        new = old.replace(m.group(2), stamp, 1)
        new = new.replace(m.group(3), b"+00'00'", 1) if len(m.group(3)) == len(b"+00'00'") else new
        assert len(new) == len(old)
        return new

    return _DATE.sub(sub, pdf)


def print_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120) -> Path:
    """Print a local HTML file to PDF with headless Chromium (CSS @page size), dates fixed."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    with tempfile.TemporaryDirectory(prefix="gestapeld-chromium-") as profile:
        tmp = Path(profile) / "out.pdf"
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}/profiel",
               f"--print-to-pdf={tmp}", html_path.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "TZ": "UTC", "LANG": "nl_NL.UTF-8"})
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
            raise InformatiebladError(f"informatieblad: Chromium could not print {html_path.name} "
                                      f"(exit {proc.returncode}):\n{tail}")
        data = fix_dates(tmp.read_bytes(), source_date())
    pdf_path.write_bytes(data)
    return pdf_path


def build(folder: Path, edition: str) -> Path:
    """Write `folder/informatieblad/index.html` and its PDF for one edition; returns the PDF."""
    out = Path(folder) / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(page(edition), encoding="utf-8")
    return print_pdf(index, out / PDF_NAME)


def build_all(site: Path) -> list[Path]:
    """The information sheet of every edition in the site (called by `gestapeld publish`)."""
    site = Path(site)
    pdfs = []
    ids = list(config.iterations())
    for edition in ids:
        folder = edition_folder(site, edition)
        if not (folder / "index.html").is_file():
            if edition != ids[-1] and not folder.exists():
                continue  # archived editions not built (`publish(editions=False)`)
            raise InformatiebladError(f"informatieblad: edition {edition} has no index.html in {folder}")
        print(f"gestapeld publish: informatieblad {edition} (html and pdf)", file=sys.stderr)
        pdfs.append(build(folder, edition))
    return pdfs


# ------------------------------------------------------------------- screenshots


SCREENSHOTS = (
    ("landing", "book/index.html"),
    ("iteratie-v3", "book/iteraties/v3.html"),
)
VIEWPORTS = (("desktop", 1280, 900), ("telefoon", 375, 812))


def screenshots(site: Path | None = None, out: Path | None = None) -> list[Path]:
    """PNG screenshots of the landing page and iteration v3, desktop and phone size."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    root = config.project_root()
    site = Path(site or root / "_build" / "html").resolve()
    out = Path(out or root / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if not (site / "index.html").is_file():
        raise InformatiebladError(f"no site in {site}: run `make book` first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if f not in (
                "--headless", "--no-pdf-header-footer", "--generate-pdf-document-outline")])
            try:
                for vp_name, width, height in VIEWPORTS:
                    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                              color_scheme="light", reduced_motion="reduce", locale="nl-NL",
                                              timezone_id="UTC")
                    ctx.route(lambda url: not url.startswith(base), lambda route: route.abort())
                    page_ = ctx.new_page()
                    for name, path in SCREENSHOTS:
                        page_.goto(base + path, wait_until="load")
                        page_.evaluate("document.fonts.ready")
                        page_.wait_for_timeout(300)
                        target = out / f"{name}-{vp_name}.png"
                        page_.screenshot(path=str(target), animations="disabled", caret="hide", full_page=False)
                        written.append(target)
                    ctx.close()
            finally:
                browser.close()
    finally:
        server.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gestapeld.informatieblad", description=__doc__.split("\n\n")[0])
    ap.add_argument("--screenshots", action="store_true", help="write docs/screenshots/*.png from _build/html")
    ap.add_argument("--site", type=Path, help="the built site (default _build/html)")
    ap.add_argument("--out", type=Path, help="folder for the screenshots (default docs/screenshots)")
    ap.add_argument("--preview", type=Path, metavar="DIR",
                    help="write every edition's sheet (html and pdf) to DIR/<id>/ without touching the site")
    args = ap.parse_args(argv)
    if not (args.screenshots or args.preview):
        ap.error("nothing to do: give --screenshots or --preview DIR")
    if args.preview:
        for edition in config.iterations():
            pdf = build(args.preview / edition, edition)
            print(pdf)
    if args.screenshots:
        for path in screenshots(args.site, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
