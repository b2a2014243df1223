"""Reading an extract (domain.md section 7): CSV, Excel workbook or Parquet, as it is.

The file becomes DuckDB view `src`: the recognised columns under their schema names (case
and surrounding spaces in the header do not count) and the 1-based data row number ROW.
Structural faults (encoding, ragged rows, a title above the header, a damaged file, a
duplicate column) raise an ExtractError at once. The schema's column names, the errors and
the small SQL helpers shared with validation.py and extract.py live here too.

Failures are reported by rule, column, number of rows and row numbers, never by value:
the identifiers in an extract are confidential.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily: a warm command must not pay for pandas or DuckDB
    import duckdb
    import pandas as pd

PROCEDURES = ("asiel", "nareis", "8evrm")
FAMILY_PROCEDURES = ("nareis", "8evrm")
DECISIONS = ("inwilliging", "afwijzing", "intrekking", "buitenbehandeling")
ID_COLUMNS = ("zaak_id", "persoon_id", "referent_id")
REQUIRED = ("zaak_id", "persoon_id", "referent_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit")
OPTIONAL = ("relatie", "nationaliteit", "geboortejaar", "registratiedatum")
DATE_COLUMNS = ("aanvraagdatum", "besluitdatum", "registratiedatum")
KNOWN = (*REQUIRED, *OPTIONAL)
CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
FILE_TYPES = "extract must be .csv, .xlsx or .parquet"
TITLE_LOOKAHEAD = 30  # lines searched for the header below a line that is not one
MAX_ROWS_SHOWN = 10
ROW = "__rij"  # the 1-based data row number, added while validating
MEMORY_LIMIT = "600MB"  # DuckDB's share while validating; the rest spills to the private cache


@dataclasses.dataclass(frozen=True)
class Violation:
    """One broken rule: never carries a value of the extract."""

    rule: str
    column: str
    rows: tuple[int, ...]  # 1-based data row numbers: the first ones (at least ten when there are)
    explanation: str
    count: int | None = None  # number of rows breaking the rule; None: len(rows)

    def message(self) -> str:
        n = len(self.rows) if self.count is None else self.count
        shown = ", ".join(str(r) for r in self.rows[:MAX_ROWS_SHOWN])
        more = f" (first {MAX_ROWS_SHOWN} shown)" if n > MAX_ROWS_SHOWN else ""
        where = f"; rows {shown}{more}" if self.rows else ""
        count = f"{n} row{'s' if n != 1 else ''}" if self.rows else "whole extract"
        return f"rule '{self.rule}', column '{self.column}': {self.explanation}; {count}{where}"


ROWS_CSV = "Row numbers count data rows, 1 being the first row under the header."
ROWS_EXCEL = "Row numbers are the row numbers Excel shows (the header is row 1 when it is the first row)."


class ExtractError(ValueError):
    """The extract is not usable; the message is safe to show (no identifiers)."""

    def __init__(self, violations: list[Violation], *, note: str = ROWS_CSV):
        self.violations = violations
        lines = [v.message() for v in violations]
        super().__init__("the extract is not usable:\n  - " + "\n  - ".join(lines) + "\n" + note)


def fail(rule: str, column: str, explanation: str, rows: tuple[int, ...] = ()) -> ExtractError:
    return ExtractError([Violation(rule, column, rows, explanation)])


def sql_name(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_text(text: str) -> str:
    """A quoted SQL string literal (DuckDB takes no parameters in table functions of a view)."""
    return "'" + text.replace("'", "''") + "'"


#: One in-memory DuckDB database per process and spill folder (opening one costs about 30 ms,
#: a connection to an open one, `cursor()`, nothing). What a reader creates (its views, temp
#: tables, a registered frame) belongs to its connection alone and is gone when it is closed.
_DATABASES: dict[tuple[int, str | None], "duckdb.DuckDBPyConnection"] = {}
# a forked child inherits the parent's databases but not their threads: closing one there
# crashes the child, so they are kept, unused, for its lifetime
_INHERITED: list = []
_LOCK = threading.Lock()


def database(spill: Path | None = None) -> "duckdb.DuckDBPyConnection":
    """This process's in-memory DuckDB database (one per spill folder; `None`: no cap),
    opened on first use. The reader and the linkage (linkage.py) share the one without a
    spill folder. Take a connection with `cursor()`."""
    import duckdb

    key = (os.getpid(), None if spill is None else str(spill))
    with _LOCK:
        if any(k[0] != key[0] for k in _DATABASES):
            _INHERITED.extend(_DATABASES.values())
            _DATABASES.clear()
        db = _DATABASES.get(key)
        if db is None:
            db = duckdb.connect(":memory:")
            if spill is not None:
                spill.mkdir(parents=True, exist_ok=True)
                db.execute(f"SET temp_directory = {sql_text(str(spill))}")
                db.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            _DATABASES[key] = db
    return db


def connect(*, spill: Path | None = None) -> "duckdb.DuckDBPyConnection":
    """A connection to an in-memory DuckDB database; with `spill`, memory is capped and
    overflow goes there (a private folder: what DuckDB spills is microdata)."""
    db = database(spill)
    if spill is not None:
        spill.mkdir(parents=True, exist_ok=True)  # a folder removed since the database opened
    con = db.cursor()
    con.execute("SET TimeZone = 'UTC'")  # a timestamp column becomes the date it shows in UTC
    con.execute("SET preserve_insertion_order = true")  # row numbers follow the file
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # in Jupyter without ipywidgets DuckDB refuses the setting (and shows no bar)
        pass
    return con


# --------------------------------------------------------------------------- reading


@dataclasses.dataclass(frozen=True)
class Header:
    """The header of an extract as found, and how its columns map onto the schema.

    Names are matched as people type them: case and surrounding spaces do not matter
    (domain.md section 7). `columns` maps the position of each recognised column to its
    name in the schema; the others are named in `notices` (a warning, never dropped in
    silence)."""

    names: tuple[str, ...]  # as in the file
    columns: dict[int, str]  # position -> schema name
    notices: tuple[str, ...] = ()
    skip: int = 0  # CSV: empty lines above the header


def _key(name: object) -> str:
    return "" if name is None else str(name).strip().lower()


def match_header(names: list[str], *, skipped: int = 0, where: str = "line") -> Header:
    """Map a header onto the schema; refuse a name that occurs twice (ignoring case and spaces)."""
    keys = [_key(n) for n in names]
    dupes = sorted({k for k in keys if k in KNOWN and keys.count(k) > 1})
    if dupes:
        raise fail(
            "duplicate_column",
            ",".join(dupes),
            "a column name occurs more than once in the header (case and surrounding spaces do not count)",
        )
    columns = {i: k for i, k in enumerate(keys) if k in KNOWN}
    ignored = [str(n).strip() for i, n in enumerate(names) if i not in columns and _key(n)]
    unnamed = sum(1 for i, k in enumerate(keys) if i not in columns and not k)
    notices = []
    if skipped:
        notices.append(f"skipped {skipped} empty {where}{'s' if skipped != 1 else ''} above the header")
    if ignored or unnamed:
        parts = ignored + ([f"{unnamed} column{'s' if unnamed != 1 else ''} without a name"] if unnamed else [])
        notices.append(
            "ignored columns: " + ", ".join(parts) + f" (recognised: {', '.join(KNOWN)}; case and spaces do not count)"
        )
    return Header(tuple(str(n) if n is not None else "" for n in names), columns, tuple(notices), skipped)


def missing_columns(header: Header) -> list[Violation]:
    """A required column that is missing, with the nearest header found (difflib)."""
    import difflib

    left = {_key(n): n.strip() for i, n in enumerate(header.names) if i not in header.columns and _key(n)}
    out = []
    for c in REQUIRED:
        if c in header.columns.values():
            continue
        near = difflib.get_close_matches(c, list(left), n=1, cutoff=0.6)
        hint = f"; the nearest header found is '{left[near[0]]}'" if near else "; no header comes close"
        out.append(Violation("missing_column", c, (), "required column is missing" + hint))
    return out


def _blank(line: str, sep: str = ";,") -> bool:
    """An empty line, or one of spaces and separators only (an empty row saved by Excel)."""
    return not line.strip().strip(sep + ' \t"')


def _split(line: str, sep: str) -> list[str]:
    return next(csv.reader(io.StringIO(line), delimiter=sep), [])


def _sep(line: str) -> str:
    return ";" if line.count(";") > line.count(",") else ","


def _looks_like_header(fields: list[str]) -> bool:
    return sum(_key(f) in REQUIRED for f in fields) >= 3


def _not_the_header(line_no: int, header_line: int | None, where: str = "line") -> ExtractError:
    found = f"the header is on {where} {header_line}" if header_line else "no header with the column names was found"
    return fail(
        "header_not_first",
        "*",
        f"{where} {line_no} is not the header (it has none of the column names: a title?); {found}. "
        f"Delete the {where}s above the header and save again",
    )


def csv_header(path: Path) -> tuple[Header, str]:
    """The header (and the separator); skips empty lines above it; checks the encoding."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        raise fail("empty_extract", "*", "the file is empty, not even a header")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        raise fail("encoding", "*", "the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel)") from None
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    if len(head) == 1 << 16:
        lines = lines[:-1]  # the last one may be cut off
    skipped = next((i for i, ln in enumerate(lines) if not _blank(ln)), None)
    if skipped is None:
        what = "the file is empty, not even a header" if not text.strip() else "the file has only empty lines"
        raise fail("empty_extract", "*", what)
    first = lines[skipped]
    sep = _sep(first)
    fields = _split(first, sep)
    if not _looks_like_header(fields):
        for n, ln in enumerate(lines[skipped + 1 : skipped + 1 + TITLE_LOOKAHEAD], start=skipped + 2):
            if not _blank(ln) and _looks_like_header(_split(ln, _sep(ln))):
                raise _not_the_header(skipped + 1, n)
    return match_header(fields, skipped=skipped), sep


def read_csv_sql(path: Path, header: Header, sep: str, *, rejects: bool) -> str:
    """read_csv over the file: every column as text, named by position (c0, c1, ...)."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header.names))) + "}"
    extra = ", ignore_errors=true, store_rejects=true" if rejects else ""
    return (
        f"read_csv({sql_text(str(path))}, delim={sql_text(sep)}, quote='\"', escape='\"', header=true, "
        f"skip={header.skip}, columns={columns}, auto_detect=false, strict_mode=true{extra})"
    )


def schema_sql(header: Header, row: str | None, column=lambda i: f"c{i}") -> str:
    """The recognised columns under their schema names (what view `src` shows), and `row`."""
    cols = [f"{sql_name(column(i))} AS {sql_name(name)}" for i, name in sorted(header.columns.items())]
    return ", ".join(cols + ([row] if row else [])) or "NULL AS none"


def _load_csv(con: "duckdb.DuckDBPyConnection", path: Path) -> Header:
    """The CSV as text columns in temp table `raw`, in file order; structural faults raise."""
    header, sep = csv_header(path)
    try:
        con.execute(f"CREATE TEMP TABLE raw AS SELECT * FROM {read_csv_sql(path, header, sep, rejects=True)}")
        rejects = con.execute(
            "SELECT error_type, count(DISTINCT line), min(DISTINCT line, 11) FROM reject_errors GROUP BY ALL"
        ).fetchall()
    except Exception:  # noqa: BLE001 - DuckDB's own message may quote the file's content
        raise fail("ragged_row", "*", f"the file cannot be read as CSV (separator '{sep}')") from None
    if not rejects:
        return header
    # line numbers count from the top of the file: data row = line - 1 - empty lines skipped
    first = 1 + header.skip
    encoding = [r for r in rejects if r[0] == "INVALID ENCODING"]
    if encoding:
        n, lines = encoding[0][1], encoding[0][2]
        raise ExtractError(
            [
                Violation(
                    "encoding",
                    "*",
                    tuple(sorted(int(x) - first for x in lines))[:MAX_ROWS_SHOWN],
                    "the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel)",
                    n,
                )
            ]
        )
    lines = sorted({int(x) - first for r in rejects for x in r[2]})[:MAX_ROWS_SHOWN]
    n = con.execute("SELECT count(DISTINCT line) FROM reject_errors").fetchone()[0]
    raise ExtractError(
        [
            Violation(
                "ragged_row",
                "*",
                tuple(lines),
                f"a row has a different number of fields than the header ({len(header.names)}, separator '{sep}'), "
                "or a quote is not closed",
                int(n),
            )
        ]
    )


def _excel_text(value: object) -> str | None:
    """A cell as the text a CSV export would hold: date cells as ISO dates (a time of day
    other than midnight is kept, so the date rules can name it), whole numbers without '.0'."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


EXCEL_BATCH = 50_000  # rows handed to DuckDB at a time


def _load_excel(con: "duckdb.DuckDBPyConnection", path: Path, sheet: str | None) -> Header:
    """The first sheet (or `sheet`) as text columns in temp table `raw`, with Excel's row
    numbers in ROW. Empty rows are skipped (above the header too); cells as `_excel_text`."""
    import pyarrow as pa

    wb = _open_workbook(path)
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise fail(
                "unknown_sheet",
                "*",
                f"the workbook has no sheet '{sheet}'; its sheets: {', '.join(wb.sheetnames)} (give one with --sheet)",
            )
        # the sheet's recorded size is not trusted (some exporters write it wrong, and a
        # read-only sheet would then stop early, dropping rows in silence): read to the end
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        header: Header | None = None
        skipped = 0
        batch: list[list] = []
        width = 0
        beyond = 0  # columns right of the header that hold values (no name: ignored, and said so)

        def flush() -> None:
            if not batch:
                return
            arrays = {f"c{i}": pa.array([r[i] for r in batch], type=pa.string()) for i in range(width)}
            arrays[ROW] = pa.array([r[width] for r in batch], type=pa.int64())
            chunk = pa.table(arrays)  # noqa: F841 - read by DuckDB by name
            con.execute("INSERT INTO raw SELECT * FROM chunk")
            batch.clear()

        for number, values in enumerate(rows, start=1):
            cells = [_excel_text(v) for v in values]
            if not any(c is not None for c in cells):
                if header is None:
                    skipped += 1
                continue
            if header is None:
                if not _looks_like_header([c or "" for c in cells]):
                    for later, more in enumerate(rows, start=number + 1):
                        if later > number + TITLE_LOOKAHEAD:
                            break
                        if _looks_like_header([_excel_text(v) or "" for v in more]):
                            raise _not_the_header(number, later, where="row")
                names = list(values)
                while names and names[-1] is None:
                    names.pop()
                header = match_header([str(n) if n is not None else "" for n in names], skipped=skipped, where="row")
                width = len(header.names)
                cols = ", ".join(f"c{i} VARCHAR" for i in range(width))
                con.execute(f"CREATE TEMP TABLE raw ({cols}{', ' if cols else ''}{ROW} BIGINT)")
                continue
            if len(cells) > width and any(c is not None for c in cells[width:]):
                last = max(i for i, c in enumerate(cells) if c is not None)
                beyond = max(beyond, last + 1 - width)
            row = (cells + [None] * width)[:width]
            batch.append([*row, number])
            if len(batch) >= EXCEL_BATCH:
                flush()
        flush()
    finally:
        wb.close()
    if header is None:
        raise fail("empty_extract", "*", "the sheet is empty, not even a header")
    if beyond:
        note = f"ignored columns: {beyond} column{'s' if beyond != 1 else ''} right of the header, without a name"
        header = dataclasses.replace(header, notices=(*header.notices, note))
    return header


def _open_workbook(path: Path):
    import zipfile

    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise fail(
            "unreadable_excel",
            "*",
            "the workbook cannot be read (damaged, or protected with a password?); open it in Excel "
            "and save it again as .xlsx (Excel-werkmap) or as CSV UTF-8",
        ) from None


def check_file_type(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in (*CSV_SUFFIXES, *PARQUET_SUFFIXES, *EXCEL_SUFFIXES):
        return
    if suffix in (".xls", ".xlsb", ".ods"):
        raise fail(
            "file_type",
            "*",
            f"a {suffix} workbook cannot be read; open it in Excel and save it as .xlsx (Excel-werkmap) "
            "or as CSV UTF-8",
        )
    raise fail("file_type", "*", FILE_TYPES)


def load_source(con: "duckdb.DuckDBPyConnection", path: Path, *, sheet: str | None = None) -> Header:
    """The extract as view `src`: its recognised columns under their schema names, plus ROW."""
    if not path.is_file():
        raise fail("file_not_found", "*", f"no file at the given path ({path.name})")
    check_file_type(path)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        try:
            con.execute(
                f"CREATE TEMP VIEW file_src AS SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS {ROW} "
                f"FROM read_parquet({sql_text(str(path))}, file_row_number = true)"
            )
            con.execute("SELECT count(*) FROM file_src").fetchone()  # reads the footer: a damaged file fails here
        except Exception:  # noqa: BLE001 - DuckDB raises several types for a damaged file
            raise fail("unreadable_parquet", "*", "the Parquet file cannot be read (truncated or damaged?)") from None
        names = [n for (n,) in con.execute("SELECT column_name FROM (DESCRIBE SELECT * FROM file_src)").fetchall()]
        header = match_header([n for n in names if n != ROW])
        con.execute(
            f"CREATE TEMP VIEW src AS SELECT {schema_sql(header, ROW, lambda i: header.names[i])} FROM file_src"
        )
    elif suffix in EXCEL_SUFFIXES:
        header = _load_excel(con, path, sheet)
        con.execute(f"CREATE TEMP VIEW src AS SELECT {schema_sql(header, ROW)} FROM raw")
    else:
        header = _load_csv(con, path)
        con.execute(f"CREATE TEMP VIEW src AS SELECT {schema_sql(header, f'rowid + 1 AS {ROW}')} FROM raw")
    return header


def read_raw(path: Path | str, *, sheet: str | None = None) -> "pd.DataFrame":
    """Read an extract as it is (recognised columns), without validation (small extracts, tests)."""
    con = connect()
    try:
        load_source(con, Path(path), sheet=sheet)
        return con.execute(f"SELECT * EXCLUDE ({ROW}) FROM src ORDER BY {ROW}").df()
    finally:
        con.close()


def row_note(path: Path) -> str:
    """How the row numbers of a message count, for this kind of file."""
    return ROWS_EXCEL if path.suffix.lower() in EXCEL_SUFFIXES else ROWS_CSV
