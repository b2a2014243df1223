"""Reading and validating an extract of applications (domain.md section 7).

Every rule is a pandera check. Failures are reported by rule, column, number of rows and
up to ten row numbers (1 = the first data row under the header), never by value: the
identifiers in an extract are confidential, and pandera's own reports carry the values.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

PROCEDURES = ("asiel", "nareis", "8evrm")
FAMILY_PROCEDURES = ("nareis", "8evrm")
DECISIONS = ("inwilliging", "afwijzing", "intrekking", "buitenbehandeling")
ID_COLUMNS = ("zaak_id", "persoon_id", "referent_id")
REQUIRED = ("zaak_id", "persoon_id", "referent_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit")
OPTIONAL = ("relatie", "nationaliteit", "geboortejaar")
DATE_COLUMNS = ("aanvraagdatum", "besluitdatum")
MAX_ROWS_SHOWN = 10


@dataclasses.dataclass(frozen=True)
class Violation:
    """One broken rule: never carries a value of the extract."""

    rule: str
    column: str
    rows: tuple[int, ...]  # 1-based data row numbers, all of them
    explanation: str

    def message(self) -> str:
        shown = ", ".join(str(r) for r in self.rows[:MAX_ROWS_SHOWN])
        more = f" (first {MAX_ROWS_SHOWN} shown)" if len(self.rows) > MAX_ROWS_SHOWN else ""
        where = f"; rows {shown}{more}" if self.rows else ""
        n = len(self.rows)
        count = f"{n} row{'s' if n != 1 else ''}" if self.rows else "whole extract"
        return f"rule '{self.rule}', column '{self.column}': {self.explanation}; {count}{where}"


class ExtractError(ValueError):
    """The extract is not usable; the message is safe to show (no identifiers)."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        lines = [v.message() for v in violations]
        super().__init__(
            "the extract is not usable:\n  - " + "\n  - ".join(lines)
            + "\nRow numbers count data rows, 1 being the first row under the header."
        )


def _fail(rule: str, column: str, explanation: str, rows: tuple[int, ...] = ()) -> ExtractError:
    return ExtractError([Violation(rule, column, rows, explanation)])


# --------------------------------------------------------------------------- reading


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail("encoding", "*", "the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel)") from None
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
            na_values=[], quoting=csv.QUOTE_MINIMAL, engine="c",
        )
    except pd.errors.EmptyDataError:
        raise _fail("empty_extract", "*", "the file is empty, not even a header") from None
    except pd.errors.ParserError:
        # pandas' message quotes line numbers only, but keep our own wording.
        raise _fail("ragged_row", "*", f"a row has a different number of fields than the header (separator '{sep}')") from None
    header = next(csv.reader(io.StringIO(first), delimiter=sep), [])
    dupes = sorted({c.strip() for c in header if [h.strip() for h in header].count(c.strip()) > 1})
    if dupes:
        raise _fail("duplicate_column", ",".join(dupes), "a column name occurs more than once in the header")
    # pandas pads a short row with empty fields silently: count the fields of every row.
    width = len(df.columns)
    ragged = tuple(i for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=sep)) if row and len(row) != width and i > 0)
    if ragged:
        raise _fail("ragged_row", "*", f"a row has a different number of fields than the header ({width}, separator '{sep}')",
                    ragged)
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq
    try:
        # integer columns with blanks stay whole numbers (pandas would make them decimals)
        df = pq.read_table(path).to_pandas(
            types_mapper=lambda t: pd.Int64Dtype() if pa.types.is_integer(t) else None)
    except Exception:  # pyarrow raises several types for a damaged file
        raise _fail("unreadable_parquet", "*", "the Parquet file cannot be read (truncated or damaged?)") from None
    return df


def read_raw(path: Path | str) -> pd.DataFrame:
    """Read a CSV or Parquet extract as it is, without validation."""
    path = Path(path)
    if not path.is_file():
        raise _fail("file_not_found", "*", f"no file at the given path ({path.name})")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path)
    raise _fail("file_type", "*", "extract must be .csv or .parquet")


# --------------------------------------------------------------------------- checks


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def _parse_dates(s: pd.Series) -> pd.Series:
    """ISO dates, or Dutch dd-mm-jjjj; NaT where blank or unparseable."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return pd.to_datetime(s).dt.tz_localize(None).dt.normalize() if getattr(s.dt, "tz", None) else s.dt.normalize()
    if s.dtype == object and len(s) and all(isinstance(v, (dt.date, type(None))) for v in s.head(1000)):
        return pd.to_datetime(s, errors="coerce")
    text = s.astype("string").str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    dutch = pd.to_datetime(text, format="%d-%m-%Y", errors="coerce")
    return iso.fillna(dutch)


def _is_text_like(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)


def _raw_schema(columns: list[str]) -> pa.DataFrameSchema:
    """Rules on single columns, as read (strings for CSV, typed for Parquet)."""

    def date_ok(s: pd.Series) -> pd.Series:
        return _blank(s) | _parse_dates(s).notna()

    def ids_text(s: pd.Series) -> pd.Series:
        return pd.Series(_is_text_like(s) or pd.api.types.is_integer_dtype(s), index=s.index)

    checks: dict[str, pa.Column] = {
        "zaak_id": pa.Column(checks=[
            pa.Check(ids_text, name="wrong_type", error="identifiers must be text or whole numbers"),
            pa.Check(lambda s: ~_blank(s), name="missing_value", error="every application needs a zaak_id"),
        ], nullable=True),
        "persoon_id": pa.Column(checks=[
            pa.Check(ids_text, name="wrong_type", error="identifiers must be text or whole numbers"),
            pa.Check(lambda s: ~_blank(s), name="missing_value", error="every application needs a persoon_id"),
        ], nullable=True),
        "referent_id": pa.Column(checks=[
            pa.Check(ids_text, name="wrong_type", error="identifiers must be text or whole numbers"),
        ], nullable=True),
        "procedure": pa.Column(checks=[
            pa.Check(lambda s: s.astype("string").str.strip().isin(PROCEDURES).fillna(False),
                     name="unknown_procedure", error=f"procedure must be one of {', '.join(PROCEDURES)}"),
        ], nullable=True),
        "besluit": pa.Column(checks=[
            pa.Check(lambda s: _blank(s) | s.astype("string").str.strip().isin(DECISIONS).fillna(False),
                     name="unknown_besluit", error=f"besluit must be empty or one of {', '.join(DECISIONS)}"),
        ], nullable=True),
        "aanvraagdatum": pa.Column(checks=[
            pa.Check(lambda s: ~_blank(s), name="missing_date", error="every application needs an aanvraagdatum"),
            pa.Check(date_ok, name="unparseable_date", error="dates must be YYYY-MM-DD or DD-MM-YYYY"),
        ], nullable=True),
        "besluitdatum": pa.Column(checks=[
            pa.Check(date_ok, name="unparseable_date", error="dates must be YYYY-MM-DD or DD-MM-YYYY"),
        ], nullable=True),
        "geboortejaar": pa.Column(checks=[
            pa.Check(lambda s: _blank(s) | s.astype("string").str.strip().str.fullmatch(r"\d{4}").fillna(False),
                     name="wrong_type", error="geboortejaar must be a whole year like 1990 (no decimals)"),
        ], nullable=True, required=False),
    }
    return pa.DataFrameSchema({c: col for c, col in checks.items() if c in columns or col.required},
                              strict=False, coerce=False)


def _typed_schema() -> pa.DataFrameSchema:
    """Rules across columns, on the typed frame."""
    fam = lambda df: df["procedure"].isin(FAMILY_PROCEDURES)  # noqa: E731
    return pa.DataFrameSchema(
        {
            "zaak_id": pa.Column(str, unique=True, report_duplicates="all", nullable=False),
            "besluitdatum": pa.Column(checks=[], nullable=True),
        },
        checks=[
            pa.Check(lambda df: df["besluitdatum"].isna() | (df["besluitdatum"] >= df["aanvraagdatum"]),
                     name="decision_before_application", error="besluitdatum is before aanvraagdatum"),
            pa.Check(lambda df: ~(df["besluit"].notna() & df["besluitdatum"].isna()),
                     name="decision_without_date", error="a besluit needs a besluitdatum"),
            pa.Check(lambda df: ~(df["besluit"].isna() & df["besluitdatum"].notna()),
                     name="date_without_decision", error="a besluitdatum needs a besluit"),
            pa.Check(lambda df: ~(fam(df) & df["referent_id"].isna()),
                     name="family_without_referent", error="nareis and 8evrm applications need a referent_id"),
            pa.Check(lambda df: df["referent_id"].isna() | (df["referent_id"] != df["persoon_id"]),
                     name="own_referent", error="a person cannot be their own referent"),
        ],
        strict=False,
    )


_CHECK_COLUMN = {
    "decision_before_application": "besluitdatum",
    "decision_without_date": "besluitdatum",
    "date_without_decision": "besluit",
    "family_without_referent": "referent_id",
    "own_referent": "referent_id",
}


def _violations(err: pa.errors.SchemaErrors, schema: pa.DataFrameSchema) -> list[Violation]:
    """Turn pandera's failure cases into value-free violations."""
    # pandera names a failed check by its `error` text when one is given: map back to the rule.
    rule_of: dict[str, tuple[str, str]] = {}
    for chk in [c for col in schema.columns.values() for c in col.checks] + list(schema.checks):
        rule_of[chk.error or chk.name] = (chk.name, chk.error or chk.name)
        rule_of[chk.name] = (chk.name, chk.error or chk.name)
    fc = err.failure_cases.copy()
    frame_level = fc["schema_context"] == "DataFrameSchema"
    fc.loc[frame_level, "column"] = None  # a check across columns fails on every column
    out: list[Violation] = []
    for (column, check), group in fc.groupby(["column", "check"], dropna=False, sort=False):
        column = None if pd.isna(column) else str(column)
        check = str(check)
        rows = tuple(sorted({int(i) + 1 for i in group["index"].dropna()}))
        if check == "column_in_dataframe":
            out.append(Violation("missing_column", str(group["failure_case"].iloc[0]) if column is None else column,
                                 (), "required column is missing"))
        elif check in ("field_uniqueness", "multiple_fields_uniqueness") or "unique" in check:
            out.append(Violation("duplicate_zaak_id", column or "zaak_id", rows, "zaak_id must be unique"))
        elif check.startswith("dtype"):
            out.append(Violation("wrong_type", column or "*", rows, "column has the wrong type"))
        else:
            rule, text = rule_of.get(check, (check, check))
            out.append(Violation(rule, column or _CHECK_COLUMN.get(rule, "*"), rows, text))
    return out


def _strip_or_na(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip()
    return t.mask(t == "", pd.NA)


def _id_text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64").astype("string")
    return _strip_or_na(s)


def validate(df: pd.DataFrame, *, not_after: dt.date | None = None) -> pd.DataFrame:
    """Check an extract as read and return it typed, or raise ExtractError.

    `not_after` rejects dates after that day (the extraction date, or today): such dates
    cannot be real and point at swapped day and month or a wrong century.
    """
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ExtractError([Violation("missing_column", c, (), "required column is missing") for c in missing])
    if len(df) == 0:
        raise _fail("empty_extract", "*", "the extract has a header but no applications")
    df = df.reset_index(drop=True)
    raw_schema = _raw_schema(list(df.columns))
    try:
        raw_schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise ExtractError(_violations(err, raw_schema)) from None

    typed = pd.DataFrame({
        "zaak_id": _id_text(df["zaak_id"]),
        "persoon_id": _id_text(df["persoon_id"]),
        "referent_id": _id_text(df["referent_id"]),
        "procedure": _strip_or_na(df["procedure"]),
        "aanvraagdatum": _parse_dates(df["aanvraagdatum"]).astype("datetime64[s]"),
        "besluitdatum": _parse_dates(df["besluitdatum"]).astype("datetime64[s]"),
        "besluit": _strip_or_na(df["besluit"]),
    })
    for c in OPTIONAL:
        if c in df.columns:
            typed[c] = _strip_or_na(df[c]) if c != "geboortejaar" else pd.to_numeric(_strip_or_na(df[c])).astype("Int64")
    if "registratiedatum" in df.columns:  # optional (domain.md section 7); used by the as-of rule
        typed["registratiedatum"] = _parse_dates(df["registratiedatum"]).astype("datetime64[s]")
    typed_schema = _typed_schema()
    try:
        typed_schema.validate(typed.astype({"zaak_id": object}), lazy=True)
    except pa.errors.SchemaErrors as err:
        raise ExtractError(_violations(err, typed_schema)) from None
    if not_after is not None:
        limit = pd.Timestamp(not_after)
        bad = []
        for c in DATE_COLUMNS:
            rows = tuple(int(i) + 1 for i in typed.index[typed[c] > limit])
            if rows:
                bad.append(Violation("date_in_future", c, rows, f"date after {not_after.isoformat()}, the latest possible date"))
        if bad:
            raise ExtractError(bad)
    return typed


def load(path: Path | str, *, not_after: dt.date | None = None) -> pd.DataFrame:
    """Read and validate an extract; the one entry point for callers."""
    return validate(read_raw(path), not_after=not_after)
