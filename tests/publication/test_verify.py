"""`gestapeld verify`: a reviewer can prove that a site says what the extract and the code give.

The site is the one the session shares (conftest `real_site`, tests/real_format.py): every
edition, built with `gestapeld book --data` in a clone with a private cache from a synthetic
extract of a few thousand rows written as an analyst receives a real one (Dutch Excel CSV,
canary identifiers). Copies of it are
tampered in four ways, each with its manifest line rewritten as an attacker would: a number of
an iteration page, a cell of a CSV download, a byte of the information sheet's PDF, an output
of a shipped notebook. `verify --digest` with the digest the build printed must fail on each;
`verify --data` must name each file, and for the page and the CSV the number (published vs
recomputed); the honest site passes both; a site of another extract is refused naming both
sha256 values.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import real_format

pytestmark = pytest.mark.slow

PAGE = "book/iteraties/v3.html"
NOTEBOOK = "_notebooks/book/iteraties/v3.ipynb"
PDF = "informatieblad/informatieblad.pdf"


def _gestapeld(*args: object, built: dict, timeout: float = 1800) -> subprocess.CompletedProcess:
    """`gestapeld ARGS` in the clone the shared site was built in (its code and book sources)."""
    return real_format.gestapeld(built["root"], built["cache"], *args, timeout=timeout)


@pytest.fixture(scope="session")
def built(real_site) -> dict:
    """The honest site, its extract, the digest the build printed, and a second extract:
    the site the session shares (conftest `real_site`); the tests change only copies."""
    return {
        "site": real_site.site,
        "extract": real_site.extract,
        "other": real_site.other,
        "digest": real_site.digest,
        "tmp": real_site.tmp / "verify",
        "cache": real_site.cache,
        "root": real_site.root,
    }


def _copy(built: dict, name: str) -> Path:
    dest = built["tmp"] / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(built["site"], dest)
    return dest


def _rewrite_line(site: Path, rel: str) -> None:
    """What an attacker does after changing a file: its line in the top manifest gets the
    file's new sha256 (also as the verifier hashes it, with the digest normalised)."""
    from gestapeld.publication import digest

    shown = json.loads((site / "herkomst.json").read_text())["site_digest"]
    data = (site / rel).read_bytes()
    new = digest.text_hash(data, shown) or hashlib.sha256(data).hexdigest()
    m = site / "manifest.sha256"
    lines = m.read_text().splitlines()
    hit = [i for i, line in enumerate(lines) if line.endswith("  " + rel)]
    assert len(hit) == 1, rel
    lines[hit[0]] = f"{new}  {rel}"
    m.write_text("\n".join(lines) + "\n")


# ----------------------------------------------------------------- the four tamperings


def tamper_page(site: Path) -> tuple[str, str]:
    """One count in a table of the v3 page: (published now, original)."""
    p = site / PAGE
    html = p.read_text(encoding="utf-8")
    m = re.search(r"<td>(\d{2,})</td>", html)
    assert m, "no count in a table of the v3 page"
    old = m.group(1)
    new = str(int(old) + 10)
    p.write_text(html[: m.start(1)] + new + html[m.end(1) :], encoding="utf-8")
    _rewrite_line(site, PAGE)
    return new, old


def tamper_csv(site: Path) -> tuple[str, str, str]:
    """One cell of the v3 download: (file, published now, original)."""
    [p] = sorted(site.glob("_downloads/*/v3_tabel.csv"))
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines[1:], start=1):
        m = re.search(r",(\d{2,})(\r?\n)$", line)
        if m:
            old = m.group(1)
            new = str(int(old) + 20)
            lines[i] = line[: m.start(1)] + new + m.group(2)
            break
    else:
        raise AssertionError("no count in v3_tabel.csv")
    p.write_text("".join(lines), encoding="utf-8")
    rel = p.relative_to(site).as_posix()
    _rewrite_line(site, rel)
    return rel, new, old


def tamper_pdf(site: Path) -> None:
    p = site / PDF
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01
    p.write_bytes(bytes(data))
    _rewrite_line(site, PDF)


def tamper_notebook(site: Path) -> tuple[str, str]:
    """A number in the first text output of a code cell of the shipped v3 notebook."""
    p = site / NOTEBOOK
    nb = json.loads(p.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain")
            if not text:
                continue
            joined = "".join(text) if isinstance(text, list) else text
            m = re.search(r"\b(\d{2,})\b", joined)
            if m:
                old, new = m.group(1), str(int(m.group(1)) + 30)
                out["data"]["text/plain"] = joined[: m.start(1)] + new + joined[m.end(1) :]
                p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
                _rewrite_line(site, NOTEBOOK)
                return new, old
    raise AssertionError("no number in a text output of the v3 notebook")


TAMPER = {
    "page": lambda s: tamper_page(s),
    "csv": lambda s: tamper_csv(s),
    "pdf": lambda s: tamper_pdf(s),
    "notebook": lambda s: tamper_notebook(s),
}


# ----------------------------------------------------------------- without the extract


def test_honest_site_passes_the_announced_digest(built):
    proc = _gestapeld("verify", "--build", built["site"], "--digest", built["digest"], built=built)
    assert proc.returncode == 0, proc.stderr
    assert f"pinned by the announced digest {built['digest']}" in proc.stderr
    # the site shows the digest where a reader looks: versies page, sheet (html and pdf input), citations
    site = built["site"]
    assert built["digest"] in (site / "book" / "versies.html").read_text(encoding="utf-8")
    assert built["digest"] in (site / "informatieblad" / "index.html").read_text(encoding="utf-8")
    assert built["digest"] in (site / "informatieblad" / "informatieblad.json").read_text(encoding="utf-8")
    assert f"site {built['digest']}" in (site / PAGE).read_text(encoding="utf-8")  # a citation
    from pypdf import PdfReader

    pdf_text = "".join(page.extract_text() for page in PdfReader(site / PDF).pages)
    assert built["digest"] in re.sub(r"\s", "", pdf_text)


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_each_tampering_fails_the_announced_digest(built, how):
    site = _copy(built, f"digest-{how}")
    TAMPER[how](site)
    proc = _gestapeld("verify", "--build", site, "--digest", built["digest"], built=built)
    assert proc.returncode == 1, proc.stderr
    assert "FAILED against the announced digest" in proc.stderr
    assert f"not to the announced digest {built['digest']}" in proc.stderr


def test_a_wrong_digest_fails_an_honest_site(built):
    wrong = hashlib.sha256(b"another site").hexdigest()
    proc = _gestapeld("verify", "--build", built["site"], "--digest", wrong, built=built)
    assert proc.returncode == 1 and wrong in proc.stderr


# ----------------------------------------------------------------- with the extract


def test_honest_site_rebuilds_identically(built):
    proc = _gestapeld("verify", "--build", built["site"], "--data", built["extract"], built=built)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "this code checkout is the build's" in proc.stderr.splitlines()[0]
    assert "files equal the rebuilt site" in proc.stderr
    assert (built["site"] / "edities" / "v0" / "manifest.sha256").is_file()  # every edition was rebuilt too
    assert "notebooks reproduce against the extract" in proc.stderr


def test_rebuild_names_every_tampered_file_and_number(built):
    site = _copy(built, "data-all")
    page_new, page_old = tamper_page(site)
    csv_rel, csv_new, csv_old = tamper_csv(site)
    tamper_pdf(site)
    nb_new, nb_old = tamper_notebook(site)
    proc = _gestapeld("verify", "--build", site, "--data", built["extract"], built=built)
    err = proc.stderr
    assert proc.returncode == 1, err[-4000:]
    lines = err.splitlines()
    # the page: table, row, column, published vs recomputed
    page = [line for line in lines if line.strip().startswith(f"- {PAGE}: table")]
    assert any(f"published '{page_new}', recomputed '{page_old}'" in line and "row '" in line for line in page), err
    # the download: row and column, published vs recomputed
    csv_lines = [line for line in lines if line.strip().startswith(f"- {csv_rel}: line")]
    assert any(f"column 'aantal': published '{csv_new}', recomputed '{csv_old}'" in line for line in csv_lines), err
    # the PDF and the notebook are named
    assert any(line.strip().startswith(f"- {PDF}") for line in lines), err
    assert any(line.strip().startswith(f"- {NOTEBOOK}: cell") and nb_new in line for line in lines), err
    # nbval, the second check, names the notebook, the cell and the output
    nbval = [line for line in lines if "code cell" in line]
    assert any(
        line.strip().startswith(f"- {NOTEBOOK}, code cell") and "output text/plain differs" in line for line in nbval
    ), err
    assert "Rerun with the same code checkout" not in err


def test_site_of_another_extract_is_refused_naming_both(built):
    from gestapeld import provenance

    proc = _gestapeld("verify", "--build", built["site"], "--data", built["other"], built=built)
    assert proc.returncode == 1, proc.stderr
    recorded = provenance.data_fingerprint(built["extract"])
    given = provenance.data_fingerprint(built["other"])
    assert recorded != given
    refusal = [line for line in proc.stderr.splitlines() if "REFUSED" in line]
    assert refusal and recorded in refusal[0] and given in refusal[0]
    assert "rebuilding" not in proc.stderr


def test_another_code_checkout_is_said_first_with_both_fingerprints(built):
    site = _copy(built, "code")
    record = json.loads((site / "herkomst.json").read_text())
    ours = record["code"]["pakket"]
    record["code"]["pakket"] = "f" * 64
    (site / "herkomst.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    proc = _gestapeld("verify", "--build", site, "--data", built["other"], built=built)
    first = proc.stderr.splitlines()
    assert "THE CODE CHECKOUT DIFFERS FROM THE BUILD'S" in first[0], proc.stderr
    assert f"pakket: site built with {'f' * 64}, this checkout {ours}" in first[1]
    assert proc.returncode == 1
