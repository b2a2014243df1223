"""Bad extracts are refused with exit 2 and a clear message; valid variants are accepted.

domain.md section 7 and the command contract: a bad extract gets exit status 2 and one
message on stderr naming the rule, the column, the number of rows and up to ten row
numbers; never a traceback; never a value of persoon_id, referent_id or zaak_id. With
`tables`, nothing is written to --out. Identifiers in these extracts look like canaries
("CANARY..."), and the tests check that none reaches stdout or stderr. The exact wording
is not tested.
"""

from __future__ import annotations

import copy
import re

import pytest

from conftest import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    read_depth,
    read_table,
    run_cli,
    tables_args,
    write_csv,
    write_parquet,
    zaak,
)

CANARY = "CANARY"


def base_rows() -> list[dict[str, str]]:
    """A valid extract of twelve applications. The bad cases below break row index 9."""
    return [
        zaak("CANARYZ101", "CANARYP201", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
        zaak("CANARYZ102", "CANARYP202", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "CANARYP201"),
        zaak("CANARYZ103", "CANARYP203", "nareis", "2021-03-01", "2021-09-01", "afwijzing", "CANARYP202"),
        zaak("CANARYZ104", "CANARYP204", "8evrm", "2021-04-01", "", "", "CANARYP202"),
        zaak("CANARYZ105", "CANARYP205", "asiel", "2021-05-01", "2021-06-01", "intrekking"),
        zaak("CANARYZ106", "CANARYP206", "nareis", "2022-01-01", "2022-02-01", "buitenbehandeling", "CANARYP201"),
        zaak("CANARYZ107", "CANARYP207", "asiel", "2019-02-01", "2019-09-01", "afwijzing"),
        zaak("CANARYZ108", "CANARYP208", "8evrm", "2019-03-01", "2019-10-01", "inwilliging", "CANARYP201"),
        zaak("CANARYZ109", "CANARYP209", "nareis", "2020-01-15", "2020-07-01", "inwilliging", "CANARYP208"),
        zaak("CANARYZ110", "CANARYP210", "asiel", "2020-02-01", "", ""),
        zaak("CANARYZ111", "CANARYP211", "asiel", "2020-03-01", "2020-12-01", "inwilliging"),
        zaak("CANARYZ112", "CANARYP212", "nareis", "2021-02-01", "2021-08-01", "inwilliging", "CANARYP211"),
    ]


BAD = 9
# The bad row is data row index 9: row number 9 (counting from 0), 10 (from 1) or 11 (the
# line in the file, header = line 1). Any of these conventions is fine.
BAD_ROW_NUMBERS = {9, 10, 11}


def with_row(**changes) -> list[dict[str, str]]:
    rows = base_rows()
    rows[BAD].update(changes)
    return rows


# case id -> (rows, columns to write, acceptable column names in the message, row numbers)
# "row numbers" is a set of numbers of which at least one must appear, or None.
ROW_CASES = {
    "unknown_procedure": (with_row(procedure="asylum"), ("procedure",), BAD_ROW_NUMBERS),
    "unknown_besluit": (with_row(besluitdatum="2020-06-01", besluit="toegewezen"), ("besluit",), BAD_ROW_NUMBERS),
    "unparseable_aanvraagdatum": (with_row(aanvraagdatum="2020-13-45"), ("aanvraagdatum",), BAD_ROW_NUMBERS),
    "text_aanvraagdatum": (with_row(aanvraagdatum="gisteren"), ("aanvraagdatum",), BAD_ROW_NUMBERS),
    "unparseable_besluitdatum": (
        with_row(besluitdatum="2020-02-30", besluit="afwijzing"),
        ("besluitdatum",),
        BAD_ROW_NUMBERS,
    ),
    # Duplicate of row index 2's zaak_id: either occurrence may be named (rows 2/3/4 or 9/10/11).
    "duplicate_zaak_id": (with_row(zaak_id="CANARYZ103"), ("zaak_id",), BAD_ROW_NUMBERS | {2, 3, 4}),
    "besluitdatum_before_aanvraagdatum": (
        with_row(besluitdatum="2020-01-31", besluit="afwijzing"),
        ("besluitdatum", "aanvraagdatum"),
        BAD_ROW_NUMBERS,
    ),
    "decision_without_date": (
        with_row(besluitdatum="", besluit="inwilliging"),
        ("besluitdatum", "besluit"),
        BAD_ROW_NUMBERS,
    ),
    "date_without_decision": (
        with_row(besluitdatum="2020-05-01", besluit=""),
        ("besluit", "besluitdatum"),
        BAD_ROW_NUMBERS,
    ),
    "nareis_without_referent": (with_row(procedure="nareis", referent_id=""), ("referent_id",), BAD_ROW_NUMBERS),
    "8evrm_without_referent": (with_row(procedure="8evrm", referent_id=""), ("referent_id",), BAD_ROW_NUMBERS),
    "own_referent": (
        with_row(procedure="nareis", referent_id="CANARYP210"),
        ("referent_id", "persoon_id"),
        BAD_ROW_NUMBERS,
    ),
}

REQUIRED = ("zaak_id", "persoon_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit")


def bad_extract(tmp_path, case: str):
    """Write the bad extract of `case`; return (path, acceptable columns, row numbers)."""
    if case in ROW_CASES:
        rows, columns, numbers = ROW_CASES[case]
        return write_csv(tmp_path / "extract.csv", copy.deepcopy(rows)), columns, numbers
    if case == "missing_column_parquet":
        cols = [c for c in COLUMNS if c != "besluit"]
        return write_parquet(tmp_path / "extract.parquet", base_rows(), columns=cols), ("besluit",), None
    if case.startswith("missing_"):
        column = case[len("missing_") :]
        assert column in COLUMNS, f"test bug: unknown column {column}"
        cols = [c for c in COLUMNS if c != column]
        # The extract holds nareis and 8evrm rows, so referent_id is required too.
        return write_csv(tmp_path / "extract.csv", base_rows(), columns=cols), (column,), None
    if case == "empty_extract":
        return write_csv(tmp_path / "extract.csv", []), (), None
    if case == "empty_parquet":
        return write_parquet(tmp_path / "extract.parquet", []), (), None
    if case == "zero_byte_file":
        p = tmp_path / "extract.csv"
        p.write_bytes(b"")
        return p, (), None
    if case == "binary_garbage":
        p = tmp_path / "extract.csv"
        p.write_bytes(bytes(range(256)) * 4)
        return p, (), None
    if case == "nonexistent_file":
        return tmp_path / "no_such_extract.csv", (), None
    raise AssertionError(f"test bug: unknown case {case}")


CASES = [
    *ROW_CASES,
    *(f"missing_{c}" for c in (*REQUIRED, "referent_id")),
    "missing_column_parquet",
    "empty_extract",
    "empty_parquet",
    "zero_byte_file",
    "binary_garbage",
    "nonexistent_file",
]


def numbers_in(text: str) -> set[int]:
    # Digits not glued to letters (so no part of an identifier or a word like "v3").
    return {int(n) for n in re.findall(r"(?<![A-Za-z_\d])\d+(?![A-Za-z_\d])", text)}


@pytest.mark.parametrize("command", ["validate", "tables"])
@pytest.mark.parametrize("case", CASES)
def test_bad_extract_is_refused(tmp_path, case, command):
    path, columns, row_numbers = bad_extract(tmp_path, case)
    out = tmp_path / "out"
    if command == "validate":
        proc = run_cli("validate", path)
    else:
        proc = run_cli(*tables_args(path, out, intern=True))
    both = proc.stdout + proc.stderr

    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in both
    assert proc.stderr.strip(), "no message on stderr"
    # Never a value of an identifier column.
    assert CANARY not in both, f"identifier leaked:\n{both}"
    if columns:
        assert any(c in proc.stderr for c in columns), (
            f"message does not name the column ({' or '.join(columns)}):\n{proc.stderr}"
        )
    if row_numbers:
        assert numbers_in(proc.stderr) & row_numbers, (
            f"message names none of the row numbers {sorted(row_numbers)}:\n{proc.stderr}"
        )
    if command == "tables":
        # Nothing written: DIR not created, or left empty.
        assert not out.exists() or not any(out.iterdir()), sorted(p.name for p in out.iterdir())


def test_message_gives_count_and_at_most_ten_row_numbers(tmp_path):
    # 50 rows: indexes 20..34 (15 rows) carry an unknown procedure code.
    rows = []
    for i in range(50):
        bad = 20 <= i < 35
        rows.append(
            zaak(
                f"CANARYZ{i:03d}",
                f"CANARYP{i:03d}",
                "asylum" if bad else "asiel",
                "2020-02-01",
                "2020-06-01",
                "afwijzing",
            )
        )
    path = write_csv(tmp_path / "extract.csv", rows)
    proc = run_cli("validate", path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert CANARY not in proc.stdout + proc.stderr
    assert "procedure" in proc.stderr
    found = numbers_in(proc.stderr)
    # The number of offending rows...
    assert 15 in found, f"count of bad rows (15) not in message:\n{proc.stderr}"
    # ...and row numbers of them (indexes 20..34, whatever the numbering convention: 20..36),
    # at most ten of them.
    named = found & set(range(20, 37))
    assert named, f"no row numbers in message:\n{proc.stderr}"
    assert len(named) <= 10, f"more than ten row numbers: {sorted(named)}"


def test_bad_extract_leaves_existing_out_dir_untouched(tmp_path):
    path, _, _ = bad_extract(tmp_path, "duplicate_zaak_id")
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli(*tables_args(path, out, intern=True))
    assert proc.returncode == 2
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- valid variants


def write_variant(tmp_path, variant: str):
    rows = base_rows()
    if variant == "plain":
        return write_csv(tmp_path / "extract.csv", rows)
    if variant == "semicolon":
        return write_csv(tmp_path / "extract.csv", rows, sep=";")
    if variant == "utf8_bom":
        return write_csv(tmp_path / "extract.csv", rows, bom=True)
    if variant == "dd_mm_yyyy":
        return write_csv(tmp_path / "extract.csv", rows, dates="dmy")
    if variant == "excel_export":
        # What a Dutch spreadsheet export looks like: BOM, semicolons, dd-mm-yyyy, CRLF.
        return write_csv(tmp_path / "extract.csv", rows, sep=";", bom=True, dates="dmy", line_end="\r\n")
    if variant == "optional_columns":
        for i, r in enumerate(rows):
            r.update(
                relatie="partner" if r["procedure"] != "asiel" else "", nationaliteit="SYR", geboortejaar=str(1980 + i)
            )
        return write_csv(tmp_path / "extract.csv", rows, columns=[*COLUMNS, *OPTIONAL_COLUMNS])
    if variant == "parquet_text_dates":
        return write_parquet(tmp_path / "extract.parquet", rows)
    if variant == "parquet_typed_dates":
        return write_parquet(tmp_path / "extract.parquet", rows, typed_dates=True)
    raise AssertionError(f"test bug: unknown variant {variant}")


VARIANTS = [
    "semicolon",
    "utf8_bom",
    "dd_mm_yyyy",
    "excel_export",
    "optional_columns",
    "parquet_text_dates",
    "parquet_typed_dates",
]
WINDOW = dict(start="2019-01-01", end="2022-12-31", peildatum="2023-06-30")


@pytest.fixture(scope="module")
def plain_tables(tmp_path_factory):
    """The tables of the plain comma-separated ISO-date extract: what every variant must give."""
    tmp = tmp_path_factory.mktemp("plain")
    path = write_variant(tmp, "plain")
    validate = run_cli("validate", path)
    assert validate.returncode == 0, validate.stderr
    proc = run_cli(*tables_args(path, tmp / "out", **WINDOW))
    assert proc.returncode == 0, proc.stderr
    return read_table(tmp / "out" / "tabel_intern.csv"), read_depth(tmp / "out" / "diepte_intern.csv")


def test_plain_extract_gives_the_expected_counts(plain_tables):
    tabel, diepte = plain_tables
    # Hand-derived from base_rows() (window 2019-01-01..2022-12-31, peildatum 2023-06-30):
    #  F1(P202) = Z102 (nareis, granted 2019-01-15); F1(P208) = Z108 (8evrm whose referent
    #  P201 held an asylum permit since 2018-06-01 <= 2019-03-01; granted 2019-10-01).
    #  Stacked: Z103 nareis on P202 (2021, rejected)    -> nareis_op_nareis
    #           Z104 8evrm on P202 (2021, pending)      -> 8evrm_na_nareis
    #           Z109 nareis on P208 (2020, granted)     -> nareis_na_8evrm
    #  Not stacked: Z102, Z106, Z108 (referent P201, asylum only), Z112 (referent P211, asylum).
    assert tabel[("nareis_op_nareis", 2021, "aanvragen")] == 1
    assert tabel[("nareis_op_nareis", 2021, "afwijzingen")] == 1
    assert tabel[("8evrm_na_nareis", 2021, "lopend")] == 1
    assert tabel[("nareis_na_8evrm", 2020, "inwilligingen")] == 1
    assert tabel[("alle", 2021, "personen")] == 1  # both 2021 cases on P202
    assert sum(v for (c, _, m), v in tabel.items() if c == "alle" and m == "aanvragen") == 3
    # nareis in the window (Z102 is filed in 2018, before it): Z109 (2020, granted),
    # Z103 (2021, rejected), Z112 (2021, granted), Z106 (2022, buitenbehandeling).
    assert [tabel[("nareis_totaal", y, "aanvragen")] for y in (2019, 2020, 2021, 2022)] == [0, 1, 2, 1]
    assert [tabel[("nareis_totaal", y, "inwilligingen")] for y in (2019, 2020, 2021, 2022)] == [0, 1, 1, 0]
    # Z109's F1 referent P201 was not admitted by family reunification; Z103/Z104's neither.
    assert diepte == {"2": 3}


@pytest.mark.parametrize("variant", VARIANTS)
def test_valid_variant_is_accepted_and_gives_the_same_tables(tmp_path, variant, plain_tables):
    path = write_variant(tmp_path, variant)
    proc = run_cli("validate", path)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stdout + proc.stderr
    assert CANARY not in proc.stdout + proc.stderr

    out = tmp_path / "out"
    proc = run_cli(*tables_args(path, out, **WINDOW))
    assert proc.returncode == 0, f"exit {proc.returncode}\nstderr:\n{proc.stderr}"
    assert CANARY not in proc.stdout + proc.stderr
    assert read_table(out / "tabel_intern.csv") == plain_tables[0]
    assert read_depth(out / "diepte_intern.csv") == plain_tables[1]
