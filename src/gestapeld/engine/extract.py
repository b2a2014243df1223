"""The validated extract and its typed copy: what the rest of the package calls.

`prepare(path)` reads an extract (reading.py), checks every rule once (validation.py) and
keeps a typed copy (Parquet) in the private cache (cache.py), keyed by the extract's sha256
and the validator's version; every notebook of a build reads that copy. `typed_source(path)`
validates once too but, for a command that reads the extract once (`gestapeld tables`),
gives the file read through the typed projection instead of writing the copy first (the
copy when a build already wrote it). The typed copy always has the columns of REQUIRED plus
`registratiedatum` (a DATE; equal to `aanvraagdatum` where the extract has no such column or
leaves it blank, domain.md section 7) and the optional columns the extract has. Identifiers
are text (whole numbers in a Parquet extract become their decimal text). `validate(df)`
checks a small extract held in memory with the same rules.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache
from .reading import (
    DATE_COLUMNS,
    EXCEL_SUFFIXES,
    PARQUET_SUFFIXES,
    ROW,
    ExtractError,
    Violation,
    check_file_type,
    connect,
    csv_header,
    fail,
    load_source,
    match_header,
    read_csv_sql,
    row_note,
    schema_sql,
    sql_name,
    sql_text,
)
from .validation import Plan, check, check_future, column_types, future_violations, make_plan

if TYPE_CHECKING:  # imported lazily: a warm command must not pay for pandas or DuckDB
    import duckdb
    import pandas as pd

__all__ = [
    "ExtractError",
    "TypedView",
    "Violation",
    "load",
    "notices",
    "prepare",
    "sheet_for",
    "summary",
    "typed_source",
    "validate",
]


def _select_typed(plan: Plan, columns: list[str], *, table: str = "src") -> str:
    """The typed copy, in file order."""
    cols = ", ".join(f"{plan.typed[c]} AS {sql_name(c)}" for c in columns)
    return f"SELECT {cols} FROM {plan.source(table, row=False)}"


# --------------------------------------------------------------------------- entry points


def sheet_for(path: Path | str, sheet: str | None = None) -> str | None:
    """The sheet of a workbook to read: `sheet`, else GESTAPELD_SHEET (set by `--sheet` for a
    build and the notebooks it runs), else None (the first sheet); None for other files."""
    import os

    if Path(path).suffix.lower() not in EXCEL_SUFFIXES:
        return None
    return sheet or os.environ.get("GESTAPELD_SHEET") or None


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
        raise fail("file_not_found", "*", f"no file at the given path ({path.name})")
    check_file_type(path)
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
        con = connect(spill=spill)
        try:
            header = load_source(con, path, sheet=sheet)
            if summ is None:
                _, summ = check(con, header)
                cache.write_atomic(meta_path, lambda tmp: Path(tmp).write_text(json.dumps(summ), encoding="utf-8"))
            # columns found clean are copied as they are (no trimming on the way)
            plan = make_plan(column_types(con), plain=tuple(summ["plain"]))
            if copy:
                cache.write_atomic(
                    typed_path,
                    lambda tmp: con.execute(
                        f"COPY ({_select_typed(plan, summ['columns'])}) TO {sql_text(tmp)} (FORMAT parquet)"
                    ),
                )
        except ExtractError as err:
            raise ExtractError(err.violations, note=row_note(path)) from None
        finally:
            con.close()
            if made_spill:  # a refused extract leaves nothing behind in the cache
                with contextlib.suppress(OSError):
                    spill.rmdir()
        cache.prune()
    check_future(path, summ, not_after, sheet)
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
        header = match_header(names)
        return f"(SELECT {schema_sql(header, None, lambda i: names[i])} FROM read_parquet({sql_text(str(path))}))"
    header, sep = csv_header(path)
    return f"(SELECT {schema_sql(header, None)} FROM {read_csv_sql(path, header, sep, rejects=False)})"


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
    con = connect()
    try:
        con.execute(f"CREATE TEMP VIEW src AS SELECT *, 0 AS {ROW} FROM {source}")
        plan = make_plan(column_types(con), plain=tuple(summ["plain"]))
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
    con = connect()
    try:
        frame = df.reset_index(drop=True)
        names = [str(c) for c in frame.columns]
        header = match_header(names)
        frame = frame.assign(**{ROW: range(1, len(frame) + 1)})
        con.register("src_frame", frame)
        con.execute(f"CREATE TEMP VIEW src AS SELECT {schema_sql(header, ROW, lambda i: names[i])} FROM src_frame")
        plan, summ = check(con, header)
        columns = summ["columns"]
        if not_after is not None:
            given = [c for c in DATE_COLUMNS if c in header.columns.values()]
            bad = future_violations(con, plan, given, not_after)
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
    con = connect()
    try:
        return _typed_frame(con, f"SELECT * FROM read_parquet({sql_text(str(typed_path))})")
    finally:
        con.close()
