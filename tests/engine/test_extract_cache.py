"""The validated, typed copy of an extract in the private cache (issue 13), and registratiedatum.

`extract.prepare(path)` validates once and returns a typed Parquet copy, keyed by the
extract's sha256; every command reuses it. The typed copy always carries `registratiedatum`
(domain.md section 7: absent means equal to aanvraagdatum). `registratiedatum` is checked
like the other dates: parseable, not before aanvraagdatum, not after --not-after.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import COLUMNS, run_cli, write_csv, zaak
from gestapeld.engine import extract


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("GESTAPELD_CACHE", str(cache))
    return cache


def rows(registratie: list[str] | None = None) -> list[dict[str, str]]:
    out = [
        zaak("Z1", "P1", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
        zaak("Z2", "P2", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "P1"),
        zaak("Z3", "P3", "nareis", "2021-03-01", "", "", "P2"),
    ]
    if registratie is not None:
        for r, d in zip(out, registratie):
            r["registratiedatum"] = d
    return out


def typed_rows(path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def test_typed_copy_has_registratiedatum_equal_to_aanvraagdatum_when_absent(tmp_path):
    typed = extract.prepare(write_csv(tmp_path / "e.csv", rows()))
    got = typed_rows(typed)
    assert [r["registratiedatum"] for r in got] == [dt.date(2018, 1, 10), dt.date(2018, 7, 1), dt.date(2021, 3, 1)]
    assert [r["zaak_id"] for r in got] == ["Z1", "Z2", "Z3"]  # file order kept
    assert got[2]["besluitdatum"] is None and got[2]["besluit"] is None  # blank -> missing


def test_typed_copy_carries_a_given_registratiedatum_and_fills_blanks(tmp_path):
    # Z2 registered three weeks after filing (dd-mm-jjjj like the other dates may be); Z3 blank.
    data = write_csv(tmp_path / "e.csv", rows(["2018-01-10", "22-07-2018", ""]), columns=[*COLUMNS, "registratiedatum"])
    got = typed_rows(extract.prepare(data))
    assert [r["registratiedatum"] for r in got] == [dt.date(2018, 1, 10), dt.date(2018, 7, 22), dt.date(2021, 3, 1)]


@pytest.mark.parametrize(
    "value,rule", [("2018-06-30", "registration_before_application"), ("2018-13-01", "unparseable_date")]
)
def test_bad_registratiedatum_is_refused(tmp_path, value, rule):
    data = write_csv(
        tmp_path / "e.csv", rows(["2018-01-10", value, "2021-03-01"]), columns=[*COLUMNS, "registratiedatum"]
    )
    proc = run_cli("validate", data)
    assert proc.returncode == 2, proc.stderr
    assert f"rule '{rule}'" in proc.stderr and "column 'registratiedatum'" in proc.stderr, proc.stderr
    assert "rows 2" in proc.stderr, proc.stderr  # Z2 is data row 2
    assert "P1" not in proc.stderr and value not in proc.stderr


def test_registratiedatum_after_the_limit_is_refused(tmp_path):
    data = write_csv(
        tmp_path / "e.csv", rows(["2018-01-10", "2018-07-01", "2021-04-01"]), columns=[*COLUMNS, "registratiedatum"]
    )
    with pytest.raises(extract.ExtractError) as err:
        extract.prepare(data, not_after=dt.date(2021, 3, 15))
    (v,) = err.value.violations
    assert (v.rule, v.column, v.rows) == ("date_in_future", "registratiedatum", (3,))


def test_prepare_validates_once_and_reuses_the_copy(tmp_path, private_cache):
    data = write_csv(tmp_path / "e.csv", rows())
    first = extract.prepare(data)
    assert first.is_relative_to(private_cache)
    stamp = first.stat().st_mtime_ns
    again = extract.prepare(data)
    assert again == first and again.stat().st_mtime_ns == stamp  # not written again
    # Another extract (one decision more) gets its own copy.
    changed = rows()
    changed[2].update(besluitdatum="2021-09-01", besluit="afwijzing")
    other = extract.prepare(write_csv(tmp_path / "f.csv", changed))
    assert other != first
    assert typed_rows(other)[2]["besluit"] == "afwijzing"


def test_date_limit_is_checked_on_a_cached_copy_too(tmp_path):
    data = write_csv(tmp_path / "e.csv", rows())
    extract.prepare(data)  # no limit: valid, now cached
    with pytest.raises(extract.ExtractError) as err:
        extract.prepare(data, not_after=dt.date(2020, 12, 31))
    (v,) = err.value.violations
    assert (v.rule, v.column, v.rows) == ("date_in_future", "aanvraagdatum", (3,))


def test_integer_identifiers_become_whole_number_text(tmp_path):
    table = pa.table(
        {
            "zaak_id": pa.array([1, 2, 3], pa.int64()),
            "persoon_id": pa.array([101, 102, 103], pa.int64()),
            "referent_id": pa.array([None, 101, 102], pa.int64()),
            "procedure": ["asiel", "nareis", "nareis"],
            "aanvraagdatum": ["2019-02-01", "2020-03-01", "2021-04-01"],
            "besluitdatum": ["2019-08-01", "2020-09-01", None],
            "besluit": ["inwilliging", "inwilliging", None],
        }
    )
    path = tmp_path / "ids.parquet"
    pq.write_table(table, path)
    got = typed_rows(extract.prepare(path))
    assert [r["referent_id"] for r in got] == [None, "101", "102"]
    assert [r["zaak_id"] for r in got] == ["1", "2", "3"]


def test_count_and_ten_row_numbers_for_many_bad_rows(tmp_path):
    # 25 rows, rows 4..25 (22 of them) with an unknown besluit: count 22, rows 4..13 shown.
    many = [
        zaak(f"Z{i}", f"P{i}", "asiel", "2020-01-01", "2020-02-01", "inwilliging" if i < 3 else "ja") for i in range(25)
    ]
    with pytest.raises(extract.ExtractError) as err:
        extract.prepare(write_csv(tmp_path / "e.csv", many))
    (v,) = err.value.violations
    assert v.rule == "unknown_besluit" and v.count == 22 and v.rows == tuple(range(4, 14))
    assert "22 rows; rows 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 (first 10 shown)" in v.message()


def test_in_memory_validation_gives_the_typed_copy(tmp_path):
    import pandas as pd

    data = write_csv(tmp_path / "e.csv", rows())
    from_file = extract.load(data)
    in_memory = extract.validate(pd.DataFrame(rows(), columns=COLUMNS))
    pd.testing.assert_frame_equal(from_file, in_memory)
    assert list(from_file.columns) == [*COLUMNS, "registratiedatum"]


def _view_rows(source) -> list[dict]:
    import duckdb

    return duckdb.sql(source.select).to_arrow_table().to_pylist()


@pytest.mark.parametrize(
    "export",
    [{}, {"sep": ";", "bom": True, "dates": "dmy", "line_end": "\r\n"}],
    ids=["plain-csv", "excel-nl-csv"],
)
def test_padded_text_is_trimmed_alike_in_the_copy_and_the_typed_view(tmp_path, export):
    # An Excel export pads some cells: " Z2", "P2 ", "nareis\t", "\r\n"-free blanks "  ".
    # Trimming is skipped for columns found clean, so a mix of clean and padded columns
    # must still give the values of domain.md section 7 (trimmed; blank is missing).
    data = rows()
    data[1].update(zaak_id=" Z2", persoon_id="P2 ", procedure="nareis\t", referent_id=" P1 ")
    data[2].update(besluit="  ")
    path = write_csv(tmp_path / "e.csv", data, **export)
    view = extract.typed_source(path)
    assert isinstance(view, extract.TypedView)  # no copy written by a one-shot read
    got = _view_rows(view)
    assert [r["zaak_id"] for r in got] == ["Z1", "Z2", "Z3"]
    assert got[1]["persoon_id"] == "P2" and got[1]["procedure"] == "nareis" and got[1]["referent_id"] == "P1"
    assert got[2]["besluit"] is None
    assert [r["aanvraagdatum"] for r in got] == [dt.date(2018, 1, 10), dt.date(2018, 7, 1), dt.date(2021, 3, 1)]
    assert got == typed_rows(extract.prepare(path))  # the copy holds the same values
    assert extract.typed_source(path) == extract.prepare(path)  # once written, the copy is read


def test_integer_geboortejaar_outside_four_digits_is_refused(tmp_path):
    table = pa.table(
        {
            **{c: [r[c] or None for r in rows()] for c in COLUMNS},
            "geboortejaar": pa.array([1980, 199, 20150], pa.int64()),
        }
    )
    path = tmp_path / "e.parquet"
    pq.write_table(table, path)
    with pytest.raises(extract.ExtractError) as err:
        extract.prepare(path)
    (v,) = err.value.violations
    assert (v.rule, v.column, v.rows) == ("wrong_type", "geboortejaar", (2, 3))


def test_tables_on_a_fresh_extract_equal_tables_on_its_copy(tmp_path):
    # `tables` reads a new extract through the typed view; after a build wrote the copy,
    # through the copy. Both must give the same tables, byte for byte.
    from gestapeld import config
    from gestapeld.engine import counts

    data = config.default_data_path()
    assert data.exists(), "run `make data` first"
    it = config.iteration("v3")
    via_view = counts.compute(extract.typed_source(data), it)
    via_copy = counts.compute(extract.prepare(data), it)
    for part in ("tabel", "diepte", "tussentijd", "eigen_vergunning"):
        assert getattr(via_view, part).equals(getattr(via_copy, part)), part


def _fresh_kernel(monkeypatch, data):
    """What a new notebook kernel sees: no results in memory, the extract in GESTAPELD_DATA."""
    from gestapeld.publication import report

    monkeypatch.setenv("GESTAPELD_DATA", str(data))
    report.clear_caches()


def test_results_are_computed_once_per_build_and_recomputed_when_parameters_change(tmp_path, monkeypatch):
    # Notebooks run in separate kernels; the second kernel must read the kept result, not
    # compute it again, and get the same protected cells. Another peildatum is computed.
    from gestapeld.engine import counts
    from gestapeld.publication import report

    data = write_csv(tmp_path / "e.csv", rows())  # P3's nareis on P2's nareis: one stacked
    calls = []
    real = counts.compute
    monkeypatch.setattr(counts, "compute", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    _fresh_kernel(monkeypatch, data)
    first = report.protected_cells("v3")
    in_first = list(calls)
    # v3 is protected together with the editions before it (issue 24): kernel 1 computes v3
    # and each earlier edition's parameter set, each once
    assert report.resolve("v3") in in_first and all(in_first.count(c) == 1 for c in in_first)
    _fresh_kernel(monkeypatch, data)
    assert report.protected_cells("v3") == first
    assert report.result("v3").tabel.equals(real(extract.prepare(data), report.resolve("v3")).tabel)
    assert calls == in_first  # kernel 2 read what kernel 1 kept
    other = report.resolve("v3").replace(peildatum=dt.date(2023, 6, 30))
    report.result(other)
    assert calls[-1] == other and len(calls) == len(in_first) + 1  # new parameters: computed


def test_prefetch_computes_a_reconciliation_in_one_pass_and_keeps_each_set(tmp_path, monkeypatch, private_cache):
    # The reconciliation page asks for 8 parameter sets: `prefetch` computes the missing
    # ones in one engine call, keeps each under its own parameters, and a later kernel
    # reads them without computing; what it reads equals computing that set alone.
    from gestapeld.engine import counts
    from gestapeld.publication import reconcile, report

    data = write_csv(tmp_path / "e.csv", rows())
    _fresh_kernel(monkeypatch, data)
    a, b = report.resolve("v1"), report.resolve("v3")
    report.result(a)  # one end is already kept: only the 7 others are computed
    sets = list(reconcile.combinations(a, b).values())
    batches, single = [], []
    real_many, real_one = counts.compute_many, counts.compute
    monkeypatch.setattr(counts, "compute_many", lambda e, its, **k: batches.append(list(its)) or real_many(e, its, **k))
    monkeypatch.setattr(counts, "compute", lambda *a_, **k: single.append(a_[1]) or real_one(*a_, **k))
    report.prefetch(sets)
    assert batches == [sets[1:]]
    report.prefetch(sets)  # everything kept: nothing computed again
    assert len(batches) == 1
    _fresh_kernel(monkeypatch, data)
    for it in sets:
        got = report.result(it)
        assert got.iteration == it
        assert got.tabel.equals(real_one(extract.prepare(data), it).tabel)
    assert single == []  # the new kernel read every set from the private cache


def test_kept_results_go_with_their_extract(tmp_path, monkeypatch, private_cache):
    from gestapeld.engine import cache
    from gestapeld.publication import report

    data = write_csv(tmp_path / "e.csv", rows())
    _fresh_kernel(monkeypatch, data)
    report.result("v1")
    kept = list((private_cache / cache.RESULTS).glob("*.pkl"))
    assert kept
    for p in private_cache.glob("extract-*"):  # the extract's entry is pruned ...
        p.unlink()
    cache.prune()
    assert not any(p.exists() for p in kept)  # ... and its results with it
