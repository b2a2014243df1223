"""Reading and validating an extract of applications (domain.md section 7).

The rules are checked by DuckDB over the file, set-based: one aggregate query counts the
rows that break each rule and keeps the first ten row numbers (1 = the first data row under
the header). Failures are reported by rule, column, number of rows and those row numbers,
never by value: the identifiers in an extract are confidential.

`prepare(path)` validates an extract once and keeps a typed copy (Parquet) in the private
cache (cache.py), keyed by the extract's sha256 and the validator's version; every notebook
of a build reads that copy. `typed_source(path)` validates once too but, for a command that
reads the extract once (`gestapeld tables`), gives the file read through the typed
projection instead of writing the copy first (the copy when a build already wrote it). The typed copy always has the columns of REQUIRED
plus `registratiedatum` (a DATE; equal to `aanvraagdatum` where the extract has no such
column or leaves it blank, domain.md section 7) and the optional columns the extract has.
Identifiers are text (whole numbers in a Parquet extract become their decimal text).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache

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


def _fail(rule: str, column: str, explanation: str, rows: tuple[int, ...] = ()) -> ExtractError:
    return ExtractError([Violation(rule, column, rows, explanation)])


def _q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    """A quoted SQL string literal (DuckDB takes no parameters in table functions of a view)."""
    return "'" + text.replace("'", "''") + "'"


def _connect(*, spill: Path | None = None) -> "duckdb.DuckDBPyConnection":
    """An in-memory DuckDB connection; with `spill`, memory is capped and overflow goes there
    (a private folder: what DuckDB spills is microdata)."""
    import duckdb

    con = duckdb.connect(":memory:")
    if spill is not None:
        spill.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = {_lit(str(spill))}")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
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


def _match(names: list[str], *, skipped: int = 0, where: str = "line") -> Header:
    """Map a header onto the schema; refuse a name that occurs twice (ignoring case and spaces)."""
    keys = [_key(n) for n in names]
    dupes = sorted({k for k in keys if k in KNOWN and keys.count(k) > 1})
    if dupes:
        raise _fail(
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


def _missing(header: Header) -> list[Violation]:
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
    return _fail(
        "header_not_first",
        "*",
        f"{where} {line_no} is not the header (it has none of the column names: a title?); {found}. "
        f"Delete the {where}s above the header and save again",
    )


def _csv_header(path: Path) -> tuple[Header, str]:
    """The header (and the separator); skips empty lines above it; checks the encoding."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        raise _fail("empty_extract", "*", "the file is empty, not even a header")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        raise _fail("encoding", "*", "the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel)") from None
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    if len(head) == 1 << 16:
        lines = lines[:-1]  # the last one may be cut off
    skipped = next((i for i, ln in enumerate(lines) if not _blank(ln)), None)
    if skipped is None:
        what = "the file is empty, not even a header" if not text.strip() else "the file has only empty lines"
        raise _fail("empty_extract", "*", what)
    first = lines[skipped]
    sep = _sep(first)
    fields = _split(first, sep)
    if not _looks_like_header(fields):
        for n, ln in enumerate(lines[skipped + 1 : skipped + 1 + TITLE_LOOKAHEAD], start=skipped + 2):
            if not _blank(ln) and _looks_like_header(_split(ln, _sep(ln))):
                raise _not_the_header(skipped + 1, n)
    return _match(fields, skipped=skipped), sep


def _read_csv_sql(path: Path, header: Header, sep: str, *, rejects: bool) -> str:
    """read_csv over the file: every column as text, named by position (c0, c1, ...)."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header.names))) + "}"
    extra = ", ignore_errors=true, store_rejects=true" if rejects else ""
    return (
        f"read_csv({_lit(str(path))}, delim={_lit(sep)}, quote='\"', escape='\"', header=true, "
        f"skip={header.skip}, columns={columns}, auto_detect=false, strict_mode=true{extra})"
    )


def _schema(header: Header, row: str | None, column=lambda i: f"c{i}") -> str:
    """The recognised columns under their schema names (what view `src` shows), and `row`."""
    cols = [f"{_q(column(i))} AS {_q(name)}" for i, name in sorted(header.columns.items())]
    return ", ".join(cols + ([row] if row else [])) or "NULL AS none"


def _load_csv(con: "duckdb.DuckDBPyConnection", path: Path) -> Header:
    """The CSV as text columns in temp table `raw`, in file order; structural faults raise."""
    header, sep = _csv_header(path)
    try:
        con.execute(f"CREATE TEMP TABLE raw AS SELECT * FROM {_read_csv_sql(path, header, sep, rejects=True)}")
        rejects = con.execute(
            "SELECT error_type, count(DISTINCT line), min(DISTINCT line, 11) FROM reject_errors GROUP BY ALL"
        ).fetchall()
    except Exception:  # noqa: BLE001 - DuckDB's own message may quote the file's content
        raise _fail("ragged_row", "*", f"the file cannot be read as CSV (separator '{sep}')") from None
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
            raise _fail(
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
                header = _match([str(n) if n is not None else "" for n in names], skipped=skipped, where="row")
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
        raise _fail("empty_extract", "*", "the sheet is empty, not even a header")
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
        raise _fail(
            "unreadable_excel",
            "*",
            "the workbook cannot be read (damaged, or protected with a password?); open it in Excel "
            "and save it again as .xlsx (Excel-werkmap) or as CSV UTF-8",
        ) from None


def _file_type(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in (*CSV_SUFFIXES, *PARQUET_SUFFIXES, *EXCEL_SUFFIXES):
        return
    if suffix in (".xls", ".xlsb", ".ods"):
        raise _fail(
            "file_type",
            "*",
            f"a {suffix} workbook cannot be read; open it in Excel and save it as .xlsx (Excel-werkmap) "
            "or as CSV UTF-8",
        )
    raise _fail("file_type", "*", FILE_TYPES)


def _load(con: "duckdb.DuckDBPyConnection", path: Path, *, sheet: str | None = None) -> Header:
    """The extract as view `src`: its recognised columns under their schema names, plus ROW."""
    if not path.is_file():
        raise _fail("file_not_found", "*", f"no file at the given path ({path.name})")
    _file_type(path)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        try:
            con.execute(
                f"CREATE VIEW file_src AS SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS {ROW} "
                f"FROM read_parquet({_lit(str(path))}, file_row_number = true)"
            )
            con.execute("SELECT count(*) FROM file_src").fetchone()  # reads the footer: a damaged file fails here
        except Exception:  # noqa: BLE001 - DuckDB raises several types for a damaged file
            raise _fail("unreadable_parquet", "*", "the Parquet file cannot be read (truncated or damaged?)") from None
        names = [n for (n,) in con.execute("SELECT column_name FROM (DESCRIBE SELECT * FROM file_src)").fetchall()]
        header = _match([n for n in names if n != ROW])
        con.execute(f"CREATE VIEW src AS SELECT {_schema(header, ROW, lambda i: header.names[i])} FROM file_src")
    elif suffix in EXCEL_SUFFIXES:
        header = _load_excel(con, path, sheet)
        con.execute(f"CREATE VIEW src AS SELECT {_schema(header, ROW)} FROM raw")
    else:
        header = _load_csv(con, path)
        con.execute(f"CREATE VIEW src AS SELECT {_schema(header, f'rowid + 1 AS {ROW}')} FROM raw")
    return header


def read_raw(path: Path | str, *, sheet: str | None = None) -> "pd.DataFrame":
    """Read an extract as it is (recognised columns), without validation (small extracts, tests)."""
    con = _connect()
    try:
        _load(con, Path(path), sheet=sheet)
        return con.execute(f"SELECT * EXCLUDE ({ROW}) FROM src ORDER BY {ROW}").df()
    finally:
        con.close()


# --------------------------------------------------------------------------- the rules

_INTEGER = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_TEXT = {"VARCHAR", '"NULL"', "NULL"}
_WS = "' ' || chr(9) || chr(10) || chr(13)"


def _clean(c: str) -> str:
    """TRUE for a value that trimming leaves as it is: it does not start or end with a space,
    is not empty and holds no tab, line feed or carriage return (trim removes only those
    four characters, and only at the ends)."""
    v = f"CAST({_q(c)} AS VARCHAR)"
    return (
        f"NOT (starts_with({v}, ' ') OR ends_with({v}, ' ') OR {v} = '' OR contains({v}, chr(9)) "
        f"OR contains({v}, chr(10)) OR contains({v}, chr(13)))"
    )


def _text(c: str, *, plain: bool = False) -> str:
    """A column as trimmed text, NULL when blank. Trimming is costly: only values that are
    not clean go through trim; with `plain` (validation found every value clean) none do."""
    v = f"CAST({_q(c)} AS VARCHAR)"
    if plain:
        return v
    return f"CASE WHEN {_clean(c)} THEN {v} ELSE NULLIF(trim({v}, {_WS}), '') END"


#: A time of day after a date, as Excel and case systems write it ("01-03-2021 00:00:00",
#: "2021-03-01T00:00", "1-3-2021 0:00"); only midnight is accepted, as that date.
_TIME = r"[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?$"
_MIDNIGHT = r"[ T]0{1,2}:00(:00([.,]0+)?)?$"


def _parse_day(text: str) -> str:
    return f"CAST(COALESCE(try_strptime({text}, '%Y-%m-%d'), try_strptime({text}, '%d-%m-%Y')) AS DATE)"


def _date(c: str, typ: str, text: str) -> str:
    """A column as DATE; `text` names the column's trimmed text (for text columns). A text
    date with a time of midnight is that date; with another time it is no date (NULL)."""
    if typ == "DATE":
        return _q(c)
    if typ.startswith("TIMESTAMP"):
        return f"CAST({_q(c)} AS DATE)"
    day = _parse_day(f"regexp_replace({text}, {_lit(_MIDNIGHT)}, '')")
    return (
        f"CASE WHEN NOT contains({text}, ':') THEN {_parse_day(text)} "
        f"WHEN regexp_matches({text}, {_lit(_MIDNIGHT)}) THEN {day} END"
    )


def _timed(c: str, typ: str, text: str) -> str | None:
    """TRUE for a date with a time of day other than midnight (refused: not a day's date)."""
    if typ in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"):
        return f"coalesce(CAST({_q(c)} AS TIME) <> TIME '00:00:00', false)"
    if typ == "DATE" or typ.startswith("TIMESTAMP"):
        return None
    day = _parse_day(f"regexp_replace({text}, {_lit(_TIME)}, '')")
    return (
        f"coalesce(contains({text}, ':') AND regexp_matches({text}, {_lit(_TIME)}) "
        f"AND NOT regexp_matches({text}, {_lit(_MIDNIGHT)}) AND {day} IS NOT NULL, false)"
    )


@dataclasses.dataclass(frozen=True)
class _Rule:
    rule: str
    column: str
    explanation: str
    condition: str  # SQL over the projection, TRUE for a row that breaks the rule


@dataclasses.dataclass(frozen=True)
class _Plan:
    """How to check and type one extract, given the types of its columns as read."""

    projection: dict[str, str]  # name -> SQL over `src`; every value computed once
    single: list[_Rule]  # rules on single columns as read
    across: list[_Rule]  # rules across typed columns
    typed: dict[str, str]  # typed column -> SQL over the projection
    unclean: dict[str, str] = dataclasses.field(default_factory=dict)  # text column -> a value needs trim

    def source(self, table: str = "src", *, row: bool = True) -> str:
        """The projection over `table` (view `src`, or the file itself), with the row numbers."""
        cols = ", ".join(f"{expr} AS {_q(name)}" for name, expr in self.projection.items())
        return f"(SELECT {cols}{f', {ROW}' if row else ''} FROM {table})"


def _plan(types: dict[str, str], *, plain: tuple[str, ...] = ()) -> _Plan:
    """`plain`: text columns whose every value validation found clean (no trimming needed)."""
    proj: dict[str, str] = {}
    single: list[_Rule] = []
    unclean: dict[str, str] = {}

    def text(c: str) -> str:
        proj[f"x_{c}"] = _text(c, plain=c in plain)
        proj[f"u_{c}"] = f"({_q(c)} IS NOT NULL AND NOT ({_clean(c)}))"
        unclean[c] = _q(f"u_{c}")
        return _q(f"x_{c}")

    typed: dict[str, str] = {}
    for c in ID_COLUMNS:
        typ = types[c]
        if typ in _INTEGER:
            proj[f"x_{c}"] = f"CAST({_q(c)} AS VARCHAR)"
            typed[c] = _q(f"x_{c}")
        else:
            typed[c] = text(c)
        if typ not in _TEXT and typ not in _INTEGER:
            single.append(_Rule("wrong_type", c, "identifiers must be text or whole numbers", "TRUE"))
        if c != "referent_id":
            single.append(_Rule("missing_value", c, f"every application needs a {c}", f"{typed[c]} IS NULL"))
    typed["procedure"] = text("procedure")
    single.append(
        _Rule(
            "unknown_procedure",
            "procedure",
            f"procedure must be one of {', '.join(PROCEDURES)}",
            f"NOT coalesce({typed['procedure']} IN {PROCEDURES}, false)",
        )
    )
    typed["besluit"] = text("besluit")
    single.append(
        _Rule(
            "unknown_besluit",
            "besluit",
            f"besluit must be empty or one of {', '.join(DECISIONS)}",
            f"({typed['besluit']} IS NOT NULL AND {typed['besluit']} NOT IN {DECISIONS})",
        )
    )
    for c in DATE_COLUMNS:
        if c not in types:
            continue
        if types[c] == "DATE" or types[c].startswith("TIMESTAMP"):
            proj[f"d_{c}"] = _date(c, types[c], "")
            blank = f"{_q(f'd_{c}')} IS NULL"  # a DATE or TIMESTAMP is blank or a date
        else:
            t = text(c)
            blank = f"{t} IS NULL"
            proj[f"d_{c}"] = _date(c, types[c], _text(c, plain=c in plain))
        typed[c] = _q(f"d_{c}")
        if c == "aanvraagdatum":
            single.append(_Rule("missing_date", c, "every application needs an aanvraagdatum", blank))
        timed = _timed(c, types[c], _text(c, plain=c in plain))
        if timed is not None:
            proj[f"t_{c}"] = timed
            single.append(
                _Rule(
                    "time_in_date",
                    c,
                    "a date carries a time of day other than 00:00:00; give the date only (in Excel: "
                    "format the column as a date without time), or check that this is the right column",
                    _q(f"t_{c}"),
                )
            )
        single.append(
            _Rule(
                "unparseable_date",
                c,
                "dates must be YYYY-MM-DD or DD-MM-YYYY (a time of 00:00:00 after it is allowed)",
                f"(NOT ({blank}) AND {typed[c]} IS NULL{' AND NOT ' + _q(f't_{c}') if timed else ''})",
            )
        )
    if "geboortejaar" in types:
        explanation = "geboortejaar must be a whole year like 1990 (no decimals)"
        if types["geboortejaar"] in _INTEGER:  # the same rule as four digits, without text
            proj["n_geboortejaar"] = f"CAST({_q('geboortejaar')} AS BIGINT)"
            g = typed["geboortejaar"] = _q("n_geboortejaar")
            single.append(
                _Rule(
                    "wrong_type", "geboortejaar", explanation, f"({g} IS NOT NULL AND NOT ({g} BETWEEN 1000 AND 9999))"
                )
            )
        else:
            t = text("geboortejaar")
            typed["geboortejaar"] = f"TRY_CAST({t} AS BIGINT)"
            single.append(
                _Rule(
                    "wrong_type",
                    "geboortejaar",
                    explanation,
                    f"({t} IS NOT NULL AND NOT regexp_full_match({t}, '[0-9]{{4}}'))",
                )
            )
    for c in ("relatie", "nationaliteit"):
        if c in types:
            typed[c] = text(c)

    # Across columns, on the typed values (reported only when every single-column rule holds).
    ad, bd, b = typed["aanvraagdatum"], typed["besluitdatum"], typed["besluit"]
    ref, per, proc = typed["referent_id"], typed["persoon_id"], typed["procedure"]
    across = [
        _Rule("decision_before_application", "besluitdatum", "besluitdatum is before aanvraagdatum", f"({bd} < {ad})"),
        _Rule(
            "decision_without_date",
            "besluitdatum",
            "a besluit needs a besluitdatum",
            f"({b} IS NOT NULL AND {bd} IS NULL)",
        ),
        _Rule(
            "date_without_decision", "besluit", "a besluitdatum needs a besluit", f"({b} IS NULL AND {bd} IS NOT NULL)"
        ),
        _Rule(
            "family_without_referent",
            "referent_id",
            "nareis and 8evrm applications need a referent_id",
            f"({proc} IN {FAMILY_PROCEDURES} AND {ref} IS NULL)",
        ),
        _Rule("own_referent", "referent_id", "a person cannot be their own referent", f"({ref} = {per})"),
    ]
    if "registratiedatum" in types:
        rd = typed["registratiedatum"]
        across.append(
            _Rule(
                "registration_before_application",
                "registratiedatum",
                "registratiedatum is before aanvraagdatum",
                f"({rd} < {ad})",
            )
        )
        # domain.md section 7: absent means equal to aanvraagdatum (also for a blank cell)
        typed["registratiedatum"] = f"COALESCE({rd}, {ad})"
    else:
        typed["registratiedatum"] = ad
    return _Plan(proj, single, across, typed, unclean)


def _violations(found: list[tuple[_Rule, int, list[int]]]) -> list[Violation]:
    return [Violation(r.rule, r.column, tuple(sorted(rows)), r.explanation, int(n)) for r, n, rows in found if n]


def _first_rows(
    con: "duckdb.DuckDBPyConnection", plan: _Plan, counted: list[tuple[_Rule, int]]
) -> list[tuple[_Rule, int, list[int]]]:
    """The first row numbers of every broken rule, in one more pass (only when one is broken)."""
    broken = [(i, r) for i, (r, n) in enumerate(counted) if n]
    rows: dict[int, list[int]] = {}
    if broken:
        parts = [f"min({ROW}, {MAX_ROWS_SHOWN}) FILTER (WHERE {r.condition})" for _, r in broken]
        got = con.execute(f"SELECT {', '.join(parts)} FROM {plan.source()}").fetchone()
        rows = {i: list(v or []) for (i, _), v in zip(broken, got)}
    return [(r, n, rows.get(i, [])) for i, (r, n) in enumerate(counted)]


def _check(con: "duckdb.DuckDBPyConnection", header: Header) -> tuple[_Plan, dict]:
    """Check every rule on view `src` in one pass; returns the plan and a summary, or raises."""
    types = _types(con)
    missing = _missing(header)
    if missing:
        raise ExtractError(missing)
    # One pass counts the rows that break each rule (a valid extract needs nothing more);
    # the row numbers are looked up only for the rules that are broken. The pass first
    # assumes that no text value needs trimming (most extracts) and finds out whether one
    # does; only then is it repeated, trimming the columns that need it.
    plain = tuple(_plan(types).unclean)
    while True:
        plan = _plan(types, plain=plain)
        single, typed = plan.single, plan.typed
        rules = plan.single + plan.across
        parts = [f"count(*) FILTER (WHERE {r.condition})" for r in rules]
        z = typed["zaak_id"]
        parts += ["count(*)", f"count(DISTINCT {z})"]
        parts += [f"max({typed[c]})" for c in DATE_COLUMNS]
        unclean = list(plan.unclean)
        parts += [f"bool_or({plan.unclean[c]})" for c in unclean]
        row = con.execute(f"SELECT {', '.join(parts)} FROM {plan.source()}").fetchone()
        k = len(rules)
        clean = tuple(c for c, needs_trim in zip(unclean, row[k + 2 + len(DATE_COLUMNS) :]) if not needs_trim)
        if set(plain) <= set(clean):
            break
        plain = tuple(c for c in plain if c in clean)
    n_rows, n_zaak = row[k], row[k + 1]
    if n_rows == 0:
        raise _fail("empty_extract", "*", "the extract has a header but no applications")
    found = _first_rows(con, plan, [(r, row[i]) for i, r in enumerate(rules)])
    bad = _violations(found[: len(single)])
    if bad:
        raise ExtractError(bad)
    bad = _violations(found[len(single) :])
    if n_zaak < n_rows:  # the same zaak_id twice: name every row that carries a repeated one
        n, rows = con.execute(
            f"SELECT count(*), min({ROW}, {MAX_ROWS_SHOWN}) FROM {plan.source()} WHERE {z} IN "
            f"(SELECT {z} FROM {plan.source()} GROUP BY 1 HAVING count(*) > 1)"
        ).fetchone()
        bad.insert(0, Violation("duplicate_zaak_id", "zaak_id", tuple(sorted(rows)), "zaak_id must be unique", int(n)))
    if bad:
        raise ExtractError(bad)
    latest = {
        c: (v.isoformat() if v is not None else None)
        for c, v in zip(DATE_COLUMNS, row[k + 2 : k + 2 + len(DATE_COLUMNS)])
    }
    plain = list(clean)
    given = [c for c in (*REQUIRED, *OPTIONAL) if c in types]
    summary = {
        "rows": int(n_rows),
        "latest": latest,
        "given": given,
        "columns": _typed_columns(given),
        "plain": plain,
        "notices": list(header.notices),
    }
    return plan, summary


def _typed_columns(given: list[str]) -> list[str]:
    """The columns of the typed copy: registratiedatum always (domain.md section 7)."""
    return [*REQUIRED, "registratiedatum", *(c for c in OPTIONAL if c in given and c != "registratiedatum")]


def _future(path: Path, summary: dict, not_after: dt.date | None, sheet: str | None = None) -> None:
    """date_in_future: dates after `not_after` (the extraction date, or today) cannot be real.

    The latest date of each column is in the summary, so only an extract that breaks the
    rule is read again (for the row numbers)."""
    if not_after is None:
        return
    late = [
        c
        for c, v in summary["latest"].items()
        if c in summary["given"] and v is not None and dt.date.fromisoformat(v) > not_after
    ]
    if not late:
        return
    con = _connect(spill=cache.folder() / ".spill")
    try:
        _load(con, path, sheet=sheet)
        plan = _plan(_types(con))
        bad = []
        for c in late:
            n, rows = con.execute(
                f"SELECT count(*), min({ROW}, {MAX_ROWS_SHOWN}) FROM {plan.source()} WHERE {plan.typed[c]} > $d",
                {"d": not_after},
            ).fetchone()
            bad.append(
                Violation(
                    "date_in_future",
                    c,
                    tuple(sorted(rows)),
                    f"date after {not_after.isoformat()}, the latest possible date",
                    int(n),
                )
            )
    finally:
        con.close()
    raise ExtractError(bad, note=_note(path))


def _types(con: "duckdb.DuckDBPyConnection") -> dict[str, str]:
    """The columns of view `src` as read, with their DuckDB types."""
    types = {
        name: str(typ)
        for name, typ in con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM src)").fetchall()
    }
    types.pop(ROW, None)
    return types


def _select_typed(plan: _Plan, columns: list[str], *, table: str = "src") -> str:
    """The typed copy, in file order."""
    cols = ", ".join(f"{plan.typed[c]} AS {_q(c)}" for c in columns)
    return f"SELECT {cols} FROM {plan.source(table, row=False)}"


# --------------------------------------------------------------------------- entry points


def sheet_for(path: Path | str, sheet: str | None = None) -> str | None:
    """The sheet of a workbook to read: `sheet`, else GESTAPELD_SHEET (set by `--sheet` for a
    build and the notebooks it runs), else None (the first sheet); None for other files."""
    import os

    if Path(path).suffix.lower() not in EXCEL_SUFFIXES:
        return None
    return sheet or os.environ.get("GESTAPELD_SHEET") or None


def _note(path: Path) -> str:
    return ROWS_EXCEL if path.suffix.lower() in EXCEL_SUFFIXES else ROWS_CSV


def prepare(path: Path | str, *, not_after: dt.date | None = None, copy: bool = True, sheet: str | None = None) -> Path:
    """Validate an extract once and return its typed copy (Parquet) in the private cache.

    Raises ExtractError for an unusable extract. `not_after` rejects dates after that day
    (the extraction date, or today): such dates cannot be real and point at swapped day and
    month or a wrong century. The validation is kept (a summary beside the copy) while the
    extract's sha256 (with the sheet of a workbook) and the validator are the same; the date
    limit is checked on every call. With `copy=False` (`gestapeld validate`) the typed copy
    is not written yet: the first command that needs it writes it, without validating again.
    A workbook is read from its first sheet, or `sheet` (sheet_for).
    """
    from .. import provenance

    path = Path(path)
    if not path.is_file():
        raise _fail("file_not_found", "*", f"no file at the given path ({path.name})")
    _file_type(path)
    sheet = sheet_for(path, sheet)
    typed_path, meta_path = cache.entry(provenance.data_fingerprint(path, sheet=sheet))
    spill = cache.folder() / ".spill"
    try:
        summ = json.loads(meta_path.read_text(encoding="utf-8"))
        cache.touch(meta_path)
    except (OSError, ValueError):
        summ = None
    if summ is None or (copy and not typed_path.is_file()):
        made_spill = not spill.exists()
        con = _connect(spill=spill)
        try:
            header = _load(con, path, sheet=sheet)
            if summ is None:
                _, summ = _check(con, header)
                cache.write_atomic(meta_path, lambda tmp: Path(tmp).write_text(json.dumps(summ), encoding="utf-8"))
            # columns found clean are copied as they are (no trimming on the way)
            plan = _plan(_types(con), plain=tuple(summ["plain"]))
            if copy:
                cache.write_atomic(
                    typed_path,
                    lambda tmp: con.execute(
                        f"COPY ({_select_typed(plan, summ['columns'])}) TO {_lit(tmp)} (FORMAT parquet)"
                    ),
                )
        except ExtractError as err:
            raise ExtractError(err.violations, note=_note(path)) from None
        finally:
            con.close()
            if made_spill:  # a refused extract leaves nothing behind in the cache
                with contextlib.suppress(OSError):
                    spill.rmdir()
        cache.prune()
    _future(path, summ, not_after, sheet)
    return typed_path


def notices(typed_path: Path) -> list[str]:
    """What the validation noticed but did not refuse (ignored columns, skipped empty lines):
    to be shown as warnings on the terminal. Names of columns only, never a value."""
    return list(summary(typed_path).get("notices", []))


@dataclasses.dataclass(frozen=True)
class TypedView:
    """A validated extract read through the typed projection, without a typed copy.

    `select` is a query over the extract's file that gives the columns of the typed copy
    (text identifiers, DATE dates, `registratiedatum` filled in). A command that reads the
    extract once (`gestapeld tables`) uses it instead of writing the copy first; the engine
    (linkage.connect) takes it like a path. It names the file only inside the query.
    """

    select: str
    typed_path: Path  # where the validation summary is kept (the copy itself is not written)


def _source_sql(path: Path) -> str:
    """The extract's file as a table expression with the schema's column names (no row
    numbers: the extract is valid). CSV and Parquet only: a workbook gets its typed copy."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        names = list(pq.read_schema(path).names)
        header = _match(names)
        return f"(SELECT {_schema(header, None, lambda i: names[i])} FROM read_parquet({_lit(str(path))}))"
    header, sep = _csv_header(path)
    return f"(SELECT {_schema(header, None)} FROM {_read_csv_sql(path, header, sep, rejects=False)})"


def typed_source(path: Path | str, *, not_after: dt.date | None = None, sheet: str | None = None) -> "Path | TypedView":
    """The validated extract for one command: its typed copy when a build already wrote it
    (always for a workbook), else the file read through the typed projection (validated
    once, like `prepare`)."""
    path = Path(path)
    excel = path.suffix.lower() in EXCEL_SUFFIXES
    typed_path = prepare(path, not_after=not_after, copy=excel, sheet=sheet)
    if typed_path.is_file():
        cache.touch(typed_path)
        return typed_path
    summ = summary(typed_path)
    source = _source_sql(path)
    con = _connect()
    try:
        con.execute(f"CREATE VIEW src AS SELECT *, 0 AS {ROW} FROM {source}")
        plan = _plan(_types(con), plain=tuple(summ["plain"]))
    finally:
        con.close()
    return TypedView(_select_typed(plan, summ["columns"], table=source), typed_path)


def summary(typed_path: Path) -> dict:
    """Rows, latest dates and columns of a validated extract (`prepare`'s return value)."""
    return json.loads(typed_path.with_suffix(".json").read_text(encoding="utf-8"))


def _typed_frame(con: "duckdb.DuckDBPyConnection", sql: str) -> "pd.DataFrame":
    """A typed extract as pandas: text as pandas strings, dates as datetime64[s]."""
    import pandas as pd

    df = con.execute(sql).df()
    for c in df.columns:
        if c in DATE_COLUMNS:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
        elif c == "geboortejaar":
            df[c] = df[c].astype("Int64")
        else:
            df[c] = df[c].astype("string")
    return df


def validate(df: "pd.DataFrame", *, not_after: dt.date | None = None) -> "pd.DataFrame":
    """Check a small extract held in memory (tests, worked examples); return it typed.

    The same rules as `prepare`, on a DataFrame as read (strings, or typed columns).
    """
    con = _connect()
    try:
        frame = df.reset_index(drop=True)
        names = [str(c) for c in frame.columns]
        header = _match(names)
        frame = frame.assign(**{ROW: range(1, len(frame) + 1)})
        con.register("src_frame", frame)
        con.execute(f"CREATE VIEW src AS SELECT {_schema(header, ROW, lambda i: names[i])} FROM src_frame")
        plan, summ = _check(con, header)
        columns = summ["columns"]
        if not_after is not None:
            bad = []
            for c in DATE_COLUMNS:
                if c not in header.columns.values():
                    continue
                n, rows = con.execute(
                    f"SELECT count(*), min({ROW}, {MAX_ROWS_SHOWN}) FROM {plan.source()} WHERE {plan.typed[c]} > $d",
                    {"d": not_after},
                ).fetchone()
                if n:
                    bad.append(
                        Violation(
                            "date_in_future",
                            c,
                            tuple(sorted(rows)),
                            f"date after {not_after.isoformat()}, the latest possible date",
                            int(n),
                        )
                    )
            if bad:
                raise ExtractError(bad)
        return _typed_frame(con, _select_typed(plan, columns))
    finally:
        con.close()


def load(path: Path | str, *, not_after: dt.date | None = None) -> "pd.DataFrame":
    """The validated, typed extract as a DataFrame (via the cache); for small extracts and tests.

    The engine does not need this: `counts.compute(prepare(path), ...)` reads the typed copy.
    """
    typed_path = prepare(path, not_after=not_after)
    con = _connect()
    try:
        return _typed_frame(con, f"SELECT * FROM read_parquet({_lit(str(typed_path))})")
    finally:
        con.close()
