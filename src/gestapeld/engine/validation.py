"""The validation rules of an extract (domain.md section 7), checked by DuckDB, set-based.

`make_plan` turns the column types as read into one projection over view `src` (every
value trimmed and typed once), the rules on single columns, the rules across typed columns
and the typed columns themselves. `check` counts the rows that break each rule in one
aggregate query and looks up the first ten row numbers only for the rules that are broken;
`check_future` applies the date limit (date_in_future). Failures carry rule, column, number
of rows and row numbers, never a value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache
from .reading import (
    DATE_COLUMNS,
    DECISIONS,
    FAMILY_PROCEDURES,
    ID_COLUMNS,
    MAX_ROWS_SHOWN,
    OPTIONAL,
    PROCEDURES,
    REQUIRED,
    ROW,
    ExtractError,
    Header,
    Violation,
    connect,
    fail,
    load_source,
    missing_columns,
    row_note,
    sql_name,
    sql_text,
)

if TYPE_CHECKING:
    import duckdb

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
    v = f"CAST({sql_name(c)} AS VARCHAR)"
    return (
        f"NOT (starts_with({v}, ' ') OR ends_with({v}, ' ') OR {v} = '' OR contains({v}, chr(9)) "
        f"OR contains({v}, chr(10)) OR contains({v}, chr(13)))"
    )


def _text(c: str, *, plain: bool = False) -> str:
    """A column as trimmed text, NULL when blank. Trimming is costly: only values that are
    not clean go through trim; with `plain` (validation found every value clean) none do."""
    v = f"CAST({sql_name(c)} AS VARCHAR)"
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
        return sql_name(c)
    if typ.startswith("TIMESTAMP"):
        return f"CAST({sql_name(c)} AS DATE)"
    day = _parse_day(f"regexp_replace({text}, {sql_text(_MIDNIGHT)}, '')")
    return (
        f"CASE WHEN NOT contains({text}, ':') THEN {_parse_day(text)} "
        f"WHEN regexp_matches({text}, {sql_text(_MIDNIGHT)}) THEN {day} END"
    )


def _timed(c: str, typ: str, text: str) -> str | None:
    """TRUE for a date with a time of day other than midnight (refused: not a day's date)."""
    if typ in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"):
        return f"coalesce(CAST({sql_name(c)} AS TIME) <> TIME '00:00:00', false)"
    if typ == "DATE" or typ.startswith("TIMESTAMP"):
        return None
    day = _parse_day(f"regexp_replace({text}, {sql_text(_TIME)}, '')")
    return (
        f"coalesce(contains({text}, ':') AND regexp_matches({text}, {sql_text(_TIME)}) "
        f"AND NOT regexp_matches({text}, {sql_text(_MIDNIGHT)}) AND {day} IS NOT NULL, false)"
    )


@dataclasses.dataclass(frozen=True)
class Rule:
    rule: str
    column: str
    explanation: str
    condition: str  # SQL over the projection, TRUE for a row that breaks the rule


@dataclasses.dataclass(frozen=True)
class Plan:
    """How to check and type one extract, given the types of its columns as read."""

    projection: dict[str, str]  # name -> SQL over `src`; every value computed once
    single: list[Rule]  # rules on single columns as read
    across: list[Rule]  # rules across typed columns
    typed: dict[str, str]  # typed column -> SQL over the projection
    unclean: dict[str, str] = dataclasses.field(default_factory=dict)  # text column -> a value needs trim

    def source(self, table: str = "src", *, row: bool = True) -> str:
        """The projection over `table` (view `src`, or the file itself), with the row numbers."""
        cols = ", ".join(f"{expr} AS {sql_name(name)}" for name, expr in self.projection.items())
        return f"(SELECT {cols}{f', {ROW}' if row else ''} FROM {table})"


def make_plan(types: dict[str, str], *, plain: tuple[str, ...] = ()) -> Plan:
    """`plain`: text columns whose every value validation found clean (no trimming needed)."""
    proj: dict[str, str] = {}
    single: list[Rule] = []
    unclean: dict[str, str] = {}

    def text(c: str) -> str:
        proj[f"x_{c}"] = _text(c, plain=c in plain)
        proj[f"u_{c}"] = f"({sql_name(c)} IS NOT NULL AND NOT ({_clean(c)}))"
        unclean[c] = sql_name(f"u_{c}")
        return sql_name(f"x_{c}")

    typed: dict[str, str] = {}
    for c in ID_COLUMNS:
        typ = types[c]
        if typ in _INTEGER:
            proj[f"x_{c}"] = f"CAST({sql_name(c)} AS VARCHAR)"
            typed[c] = sql_name(f"x_{c}")
        else:
            typed[c] = text(c)
        if typ not in _TEXT and typ not in _INTEGER:
            single.append(Rule("wrong_type", c, "identifiers must be text or whole numbers", "TRUE"))
        if c != "referent_id":
            single.append(Rule("missing_value", c, f"every application needs a {c}", f"{typed[c]} IS NULL"))
    typed["procedure"] = text("procedure")
    single.append(
        Rule(
            "unknown_procedure",
            "procedure",
            f"procedure must be one of {', '.join(PROCEDURES)}",
            f"NOT coalesce({typed['procedure']} IN {PROCEDURES}, false)",
        )
    )
    typed["besluit"] = text("besluit")
    single.append(
        Rule(
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
            blank = f"{sql_name(f'd_{c}')} IS NULL"  # a DATE or TIMESTAMP is blank or a date
        else:
            t = text(c)
            blank = f"{t} IS NULL"
            proj[f"d_{c}"] = _date(c, types[c], _text(c, plain=c in plain))
        typed[c] = sql_name(f"d_{c}")
        if c == "aanvraagdatum":
            single.append(Rule("missing_date", c, "every application needs an aanvraagdatum", blank))
        timed = _timed(c, types[c], _text(c, plain=c in plain))
        if timed is not None:
            proj[f"t_{c}"] = timed
            single.append(
                Rule(
                    "time_in_date",
                    c,
                    "a date carries a time of day other than 00:00:00; give the date only (in Excel: "
                    "format the column as a date without time), or check that this is the right column",
                    sql_name(f"t_{c}"),
                )
            )
        single.append(
            Rule(
                "unparseable_date",
                c,
                "dates must be YYYY-MM-DD or DD-MM-YYYY (a time of 00:00:00 after it is allowed)",
                f"(NOT ({blank}) AND {typed[c]} IS NULL{' AND NOT ' + sql_name(f't_{c}') if timed else ''})",
            )
        )
    if "geboortejaar" in types:
        explanation = "geboortejaar must be a whole year like 1990 (no decimals)"
        if types["geboortejaar"] in _INTEGER:  # the same rule as four digits, without text
            proj["n_geboortejaar"] = f"CAST({sql_name('geboortejaar')} AS BIGINT)"
            g = typed["geboortejaar"] = sql_name("n_geboortejaar")
            single.append(
                Rule(
                    "wrong_type", "geboortejaar", explanation, f"({g} IS NOT NULL AND NOT ({g} BETWEEN 1000 AND 9999))"
                )
            )
        else:
            t = text("geboortejaar")
            typed["geboortejaar"] = f"TRY_CAST({t} AS BIGINT)"
            single.append(
                Rule(
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
        Rule("decision_before_application", "besluitdatum", "besluitdatum is before aanvraagdatum", f"({bd} < {ad})"),
        Rule(
            "decision_without_date",
            "besluitdatum",
            "a besluit needs a besluitdatum",
            f"({b} IS NOT NULL AND {bd} IS NULL)",
        ),
        Rule(
            "date_without_decision", "besluit", "a besluitdatum needs a besluit", f"({b} IS NULL AND {bd} IS NOT NULL)"
        ),
        Rule(
            "family_without_referent",
            "referent_id",
            "nareis and 8evrm applications need a referent_id",
            f"({proc} IN {FAMILY_PROCEDURES} AND {ref} IS NULL)",
        ),
        Rule("own_referent", "referent_id", "a person cannot be their own referent", f"({ref} = {per})"),
    ]
    if "registratiedatum" in types:
        rd = typed["registratiedatum"]
        across.append(
            Rule(
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
    return Plan(proj, single, across, typed, unclean)


def _violations(found: list[tuple[Rule, int, list[int]]]) -> list[Violation]:
    return [Violation(r.rule, r.column, tuple(sorted(rows)), r.explanation, int(n)) for r, n, rows in found if n]


def _first_rows(
    con: "duckdb.DuckDBPyConnection", plan: Plan, counted: list[tuple[Rule, int]]
) -> list[tuple[Rule, int, list[int]]]:
    """The first row numbers of every broken rule, in one more pass (only when one is broken)."""
    broken = [(i, r) for i, (r, n) in enumerate(counted) if n]
    rows: dict[int, list[int]] = {}
    if broken:
        parts = [f"min({ROW}, {MAX_ROWS_SHOWN}) FILTER (WHERE {r.condition})" for _, r in broken]
        got = con.execute(f"SELECT {', '.join(parts)} FROM {plan.source()}").fetchone()
        rows = {i: list(v or []) for (i, _), v in zip(broken, got)}
    return [(r, n, rows.get(i, [])) for i, (r, n) in enumerate(counted)]


def check(con: "duckdb.DuckDBPyConnection", header: Header) -> tuple[Plan, dict]:
    """Check every rule on view `src` in one pass; returns the plan and a summary, or raises."""
    types = column_types(con)
    missing = missing_columns(header)
    if missing:
        raise ExtractError(missing)
    # One pass counts the rows that break each rule (a valid extract needs nothing more);
    # the row numbers are looked up only for the rules that are broken. The pass first
    # assumes that no text value needs trimming (most extracts) and finds out whether one
    # does; only then is it repeated, trimming the columns that need it.
    plain = tuple(make_plan(types).unclean)
    while True:
        plan = make_plan(types, plain=plain)
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
        raise fail("empty_extract", "*", "the extract has a header but no applications")
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


def check_future(path: Path, summary: dict, not_after: dt.date | None, sheet: str | None = None) -> None:
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
    con = connect(spill=cache.folder() / ".spill")
    try:
        load_source(con, path, sheet=sheet)
        bad = future_violations(con, make_plan(column_types(con)), late, not_after)
    finally:
        con.close()
    raise ExtractError(bad, note=row_note(path))


def future_violations(con: "duckdb.DuckDBPyConnection", plan: Plan, columns, not_after: dt.date) -> list[Violation]:
    """The rule date_in_future on the view `src` as `plan` types it: one violation per date
    column (of `columns`) with dates after `not_after`, naming the first rows."""
    bad = []
    for c in columns:
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
    return bad


def column_types(con: "duckdb.DuckDBPyConnection") -> dict[str, str]:
    """The columns of view `src` as read, with their DuckDB types."""
    types = {
        name: str(typ)
        for name, typ in con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM src)").fetchall()
    }
    types.pop(ROW, None)
    return types
