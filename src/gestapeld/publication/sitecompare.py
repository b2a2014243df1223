"""Compare a site under review with the site rebuilt from the extract (`gestapeld verify --data`).

Every file is compared byte for byte, after the site digest is replaced by its placeholder in
both (the digest of a changed site differs by design; digest.py). For a file that differs the
comparison says where: for a page the table (the heading above it and its number on the
page), the row and the column of every cell that differs, and the numbers in the text that
differ; for a CSV download the row and the column; for an executed notebook the cell and the
output. Everything quoted is published material (pages, downloads, shipped notebooks), never
a value of the extract.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import digest as site_digest

#: Findings listed per file before "... and N more".
MAX_PER_FILE = 8
_NUMBER = re.compile(r"(?<![\w.])[<>≈~]?\d[\d.,]*%?")


@dataclass(frozen=True)
class Finding:
    file: str
    where: str = ""  # table/row/column, cell/output, or empty when only the bytes differ
    published: str = ""
    recomputed: str = ""

    def text(self) -> str:
        if not self.where:
            return f"{self.file}: differs from the rebuilt file"
        if self.published or self.recomputed:
            return f"{self.file}: {self.where}: published {self.published!r}, recomputed {self.recomputed!r}"
        return f"{self.file}: {self.where}"


def _files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}


def _normalised(data: bytes, digests: set[str]) -> bytes:
    for d in sorted(digests):
        data = data.replace(d.encode(), site_digest.PLACEHOLDER.encode())
    return data


def compare_sites(review: Path, rebuilt: Path, *, digests: set[str]) -> tuple[int, list[Finding]]:
    """(files identical, findings) over the union of both sites' files. `digests` are the
    digests to normalise (the one each site shows and the sha256 of each top manifest)."""
    ours, theirs = _files(review), _files(rebuilt)
    same, findings = 0, []
    for rel in sorted(set(ours) | set(theirs)):
        if rel not in theirs:
            findings.append(Finding(rel, "not in the rebuilt site (added to the site under review)"))
            continue
        if rel not in ours:
            findings.append(Finding(rel, "missing from the site under review (the rebuild has it)"))
            continue
        a, b = ours[rel].read_bytes(), theirs[rel].read_bytes()
        if a == b or _normalised(a, digests) == _normalised(b, digests):
            same += 1
            continue
        if site_digest.is_sheet_pdf(rel) and _same_sheet_pdf(ours[rel], theirs[rel], digests):
            same += 1
            continue
        findings += explain(rel, _normalised(a, digests), _normalised(b, digests))
    return same, findings


def _same_sheet_pdf(review_pdf: Path, rebuilt_pdf: Path, digests: set[str]) -> bool:
    """A sheet PDF that differs only in the digest it shows: the rebuilt sheet's input,
    compiled with one of the review's digests, gives the review's bytes."""
    data = review_pdf.read_bytes()
    for d in sorted(digests):
        try:
            if site_digest.compile_sheet(rebuilt_pdf.parent, d, shown=digests) == data:
                return True
        except Exception:  # noqa: BLE001 - not recompilable: it differs
            return False
    return False


def explain(rel: str, published: bytes, recomputed: bytes) -> list[Finding]:
    """Where a published file differs from the recomputed one (at least one finding)."""
    out: list[Finding] = []
    try:
        if rel.endswith(".html"):
            out = html_differences(rel, published.decode("utf-8"), recomputed.decode("utf-8"))
        elif rel.endswith(".csv"):
            out = csv_differences(rel, published.decode("utf-8-sig"), recomputed.decode("utf-8-sig"))
        elif rel.endswith(".ipynb"):
            out = notebook_differences(rel, published.decode("utf-8"), recomputed.decode("utf-8"))
        elif rel.endswith("manifest.sha256"):
            out = manifest_differences(rel, published.decode("utf-8"), recomputed.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, csv.Error):
        out = []
    if len(out) > MAX_PER_FILE:
        out = out[:MAX_PER_FILE] + [Finding(rel, f"... and {len(out) - MAX_PER_FILE} more differences")]
    return out or [Finding(rel)]


# ------------------------------------------------------------------- pages


def _grid(table) -> list[list[str]]:
    """The cells of an HTML table as a grid (rowspan and colspan expanded)."""
    grid: list[list[str]] = []
    spans: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.find_all("tr")):
        row: list[str] = []
        c = 0
        for cell in tr.find_all(["th", "td"]):
            while (r, c) in spans:
                row.append(spans.pop((r, c)))
                c += 1
            text = cell.get_text(" ", strip=True)
            rs, cs = int(cell.get("rowspan", 1) or 1), int(cell.get("colspan", 1) or 1)
            for k in range(cs):
                row.append(text)
                for dr in range(1, rs):
                    spans[(r + dr, c + k)] = text
            c += cs
        while (r, c) in spans:
            row.append(spans.pop((r, c)))
            c += 1
        grid.append(row)
    return grid


def _tables(soup) -> list[tuple[str, list[list[str]], int]]:
    """(label, grid, header rows) of every table of a page, in order."""
    out = []
    for n, table in enumerate(soup.find_all("table"), start=1):
        heading = table.find_previous(["h1", "h2", "h3", "h4"])
        title = heading.get_text(" ", strip=True).rstrip("#¶ ").strip() if heading else ""
        caption = table.find("caption")
        label = f"table {n}" + (f" ({caption.get_text(' ', strip=True)})" if caption else "")
        label += f" under '{title}'" if title else ""
        thead = table.find("thead")
        header_rows = len(thead.find_all("tr")) if thead else 1
        out.append((label, _grid(table), header_rows))
    return out


def _column(grid: list[list[str]], header_rows: int, j: int) -> str:
    names = [grid[i][j] for i in range(min(header_rows, len(grid))) if j < len(grid[i]) and grid[i][j]]
    return " / ".join(dict.fromkeys(names)) or f"column {j + 1}"


def _row(table_row: list[str], tr_is_index: int) -> str:
    return " / ".join(x for x in table_row[: max(tr_is_index, 1)] if x) or "(empty)"


def _index_width(grid: list[list[str]], header_rows: int) -> int:
    """Leading columns that label the rows (pandas writes its index as th cells; a header
    cell above them is empty)."""
    if not grid:
        return 1
    width = 0
    for j in range(len(grid[0])):
        if all((j < len(grid[i]) and not grid[i][j]) for i in range(min(header_rows, len(grid)) - 1)):
            width = j + 1
        else:
            break
    return max(width, 1)


def html_differences(rel: str, published: str, recomputed: str) -> list[Finding]:
    from bs4 import BeautifulSoup

    a, b = BeautifulSoup(published, "html.parser"), BeautifulSoup(recomputed, "html.parser")
    out: list[Finding] = []
    ta, tb = _tables(a), _tables(b)
    if len(ta) != len(tb):
        out.append(Finding(rel, f"{len(ta)} tables published, {len(tb)} recomputed"))
    for (label, ga, hr), (_, gb, _) in zip(ta, tb):
        width = _index_width(ga, hr)
        if len(ga) != len(gb):
            out.append(Finding(rel, f"{label}: {len(ga)} rows published, {len(gb)} recomputed"))
        for i, (ra, rb) in enumerate(zip(ga, gb)):
            for j, (x, y) in enumerate(zip(ra, rb)):
                if x != y:
                    where = f"{label}, row '{_row(ra, width)}', column '{_column(ga, hr, j)}'"
                    out.append(Finding(rel, where, x, y))
    for t in a.find_all("table") + b.find_all("table"):
        t.decompose()
    out += _number_differences(rel, a.get_text(" ", strip=True), b.get_text(" ", strip=True))
    return out


def _number_differences(rel: str, published: str, recomputed: str) -> list[Finding]:
    """Numbers in the running text (glued values) that differ, with the words before them."""
    wa, wb = published.split(), recomputed.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        x, y = " ".join(wa[i1:i2]), " ".join(wb[j1:j2])
        if _NUMBER.search(x) or _NUMBER.search(y):
            context = " ".join(wa[max(0, i1 - 6) : i1])
            out.append(Finding(rel, f"number in the text after '…{context}'", x, y))
    return out


# ------------------------------------------------------------------- downloads


def csv_differences(rel: str, published: str, recomputed: str) -> list[Finding]:
    dialect = csv.Sniffer().sniff(published.splitlines()[0] if published else ",", delimiters=",;")
    ra = list(csv.reader(io.StringIO(published), dialect))
    rb = list(csv.reader(io.StringIO(recomputed), dialect))
    if not ra or not rb:
        return []
    header = ra[0]
    # the leading columns that are not counts name the row (categorie, jaar, maat)
    keys = [j for j, h in enumerate(header) if h not in ("aantal", "waarde", "value")] or [0]
    out = []
    if ra[0] != rb[0]:
        out.append(Finding(rel, "header", ",".join(ra[0]), ",".join(rb[0])))
    if len(ra) != len(rb):
        out.append(Finding(rel, f"{len(ra) - 1} rows published, {len(rb) - 1} recomputed"))
    for n, (x, y) in enumerate(zip(ra[1:], rb[1:]), start=2):
        for j, (u, v) in enumerate(zip(x, y)):
            if u != v:
                row = ", ".join(x[k] for k in keys if k < len(x) and k != j)
                col = header[j] if j < len(header) else f"column {j + 1}"
                out.append(Finding(rel, f"line {n} ({row}), column '{col}'", u, v))
    return out


# ------------------------------------------------------------------- notebooks and manifests


def _outputs_text(output: dict) -> dict[str, str]:
    if "text" in output:
        t = output["text"]
        return {output.get("name", "stream"): "".join(t) if isinstance(t, list) else str(t)}
    out = {}
    for mime, v in (output.get("data") or {}).items():
        if isinstance(v, list):
            v = "".join(v)
        out[mime] = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
    return out


def first_difference(x: str, y: str, width: int = 70) -> tuple[str, str]:
    """The first line that differs, cut to `width` characters either side of where it differs."""
    la, lb = x.splitlines(), y.splitlines()
    for u, v in zip(la, lb):
        if u != v:
            k = next((i for i, (p, q) in enumerate(zip(u, v)) if p != q), min(len(u), len(v)))
            lo = max(0, k - width)
            return u[lo : k + width].strip(), v[lo : k + width].strip()
    return f"{len(la)} lines", f"{len(lb)} lines"


def notebook_differences(rel: str, published: str, recomputed: str) -> list[Finding]:
    a, b = json.loads(published), json.loads(recomputed)
    out = []
    ca, cb = a.get("cells", []), b.get("cells", [])
    if len(ca) != len(cb):
        out.append(Finding(rel, f"{len(ca)} cells published, {len(cb)} recomputed"))
    code = 0
    for n, (x, y) in enumerate(zip(ca, cb), start=1):
        code += x.get("cell_type") == "code"
        name = f"cell {n} (id {x.get('id', '?')})"
        if x.get("source") != y.get("source"):
            out.append(Finding(rel, f"{name}: the source differs"))
        oa, ob = x.get("outputs", []), y.get("outputs", [])
        if len(oa) != len(ob):
            out.append(Finding(rel, f"{name}: {len(oa)} outputs published, {len(ob)} recomputed"))
        for k, (u, v) in enumerate(zip(oa, ob)):
            tu, tv = _outputs_text(u), _outputs_text(v)
            for mime in sorted(set(tu) | set(tv)):
                if tu.get(mime) != tv.get(mime):
                    p, r = first_difference(tu.get(mime, ""), tv.get(mime, ""))
                    out.append(Finding(rel, f"{name}, output {k + 1} ({mime})", p, r))
    if not out and a.get("metadata") != b.get("metadata"):
        out.append(Finding(rel, "the notebook's metadata differs"))
    return out


def manifest_differences(rel: str, published: str, recomputed: str) -> list[Finding]:
    def parse(text: str) -> dict[str, str]:
        return {line.partition("  ")[2]: line.partition("  ")[0] for line in text.splitlines() if line}

    a, b = parse(published), parse(recomputed)
    out = []
    for f in sorted(set(a) | set(b)):
        if a.get(f) != b.get(f):
            out.append(Finding(rel, f"its line for {f} differs from the rebuilt manifest"))
    return out
