"""The time-series linkage and classification, as SQL executed by DuckDB (sql/ beside it).

Statisticians review the method in the .sql files; this module only runs them in order
on one in-memory DuckDB connection and hands back the connection with its temp tables:
`zaken` (the extract as of the peildatum), `eerste_stap` (F1 per person), `gestapeld`
(the stacked applications X in the period, all forms), `diepte` (chain depth per referent).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from ..config import SQL_DIR
from . import reading
from .extract import TypedView


@cache
def sql(name: str) -> str:
    """The text of one SQL file of the method."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


Extract = pd.DataFrame | Path | str | TypedView


def connect(extract: Extract, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the (validated) extract as view `extract`.

    The view always has a column `registratiedatum` (domain.md section 7): an extract
    without one gets `aanvraagdatum` in its place, so it counts exactly as before.
    With `threads` the connection gets a database of its own (the setting is per database).
    """
    if threads:
        con = duckdb.connect(":memory:")
        con.execute(f"SET threads = {int(threads)}")
    else:
        con = reading.database().cursor()  # the process's database, shared with the reader
    if isinstance(extract, pd.DataFrame):
        con.register("extract_input", extract)
        source = "extract_input"
    elif isinstance(extract, TypedView):  # a validated file read through its typed projection
        source = f"({extract.select})"
    else:
        path = str(Path(extract))
        reader = "read_parquet" if path.lower().endswith((".parquet", ".pq")) else "read_csv_auto"
        quoted = path.replace("'", "''")  # DuckDB takes no parameters in a view definition
        source = f"{reader}('{quoted}')"
    columns = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    added = "" if "registratiedatum" in columns else ", aanvraagdatum AS registratiedatum"
    con.execute(f"CREATE TEMP VIEW extract AS SELECT *{added} FROM {source}")
    return con


def statements(name: str) -> list[str]:
    """The statements of one SQL file, comments removed (they may contain ';')."""
    code = "\n".join(line.split("--", 1)[0] for line in sql(name).splitlines())
    return [s.strip() for s in code.split(";") if s.strip()]


def run_statements(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> None:
    """Run the statements of sql/<name>.sql, each with the parameters it uses."""
    for statement in statements(name):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        con.execute(statement, used)


def link(
    con: duckdb.DuckDBPyConnection,
    *,
    methode: str,
    peildatum: dt.date,
    start: dt.date,
    end: dt.date,
) -> duckdb.DuckDBPyConnection:
    """Run the method on the view `extract`; leaves the temp tables described above."""
    params = {"peildatum": peildatum, "start": start, "end": end}
    run_statements(con, "zaken", params)
    if methode == "cross_sectional":
        run_statements(con, "dwarsdoorsnede", params)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE diepte AS SELECT NULL::VARCHAR AS referent_id, "
            "NULL::INTEGER AS niveau, NULL::BOOLEAN AS cyclus WHERE FALSE"
        )
    else:
        run_statements(con, "eerste_stap", params)
        run_statements(con, "gestapeld", params)
        run_statements(con, "diepte", params)
    return con
