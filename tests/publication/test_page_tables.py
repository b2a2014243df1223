"""Page tables read PUBLISHED counts: the peak year of a page (the year with the most grants)
is chosen on the rounded numbers a reader sees, so a tie there is a tie on the page.

A small extract (133 stacked applications, all granted, nareis op nareis) with exact grants
per application year 44, 36, 20, 21 and 12 in 2019-2023 publishes 40, 40, 20, 20 and 10
(rounded to tens): the peak is "2019 en 2020", never "2019" (which only the exact counts,
never published, would give).
"""

from __future__ import annotations

import pytest

from conftest import write_csv, zaak

GRANTS = {2019: 44, 2020: 36, 2021: 20, 2022: 21, 2023: 12}


def _chains() -> list[dict[str, str]]:
    """Per stacked application: the refugee, a granted first nareis, then X (filed in its year)."""
    rows = []
    n = 0
    for year, count in GRANTS.items():
        for _ in range(count):
            n += 1
            r, f, x = f"R{n:04d}", f"F{n:04d}", f"X{n:04d}"
            rows += [
                zaak(f"Z{r}", r, "asiel", "2017-01-10", "2017-06-01", "inwilliging"),
                zaak(f"Z{f}", f, "nareis", "2017-07-01", "2018-01-15", "inwilliging", r),
                zaak(f"Z{x}", x, "nareis", f"{year}-03-01", f"{year}-09-01", "inwilliging", f),
            ]
    return rows


@pytest.fixture()
def extract(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "extract.csv", _chains())
    monkeypatch.setenv("GESTAPELD_DATA", str(path))
    monkeypatch.setenv("GESTAPELD_CACHE", str(tmp_path / "cache"))
    return path


def test_peak_year_is_chosen_on_published_counts_so_a_rounded_tie_is_a_tie(extract):
    from gestapeld.publication import report

    years = list(GRANTS)
    exact = report.result("v3").tabel
    grants = exact[(exact["categorie"] == "alle") & (exact["maat"] == "inwilligingen")]
    assert {int(j): int(a) for j, a in zip(grants["jaar"], grants["aantal"]) if str(j).isdigit()} == GRANTS
    cells = report.protected_cells("v3")
    assert [cells[("alle", str(j), "inwilligingen")] for j in years] == ["40", "40", "20", "20", "10"]
    assert report.peak_year("v3", "alle", "inwilligingen", years) == "2019 en 2020"
    # without the tie year 2020 the peak is the one year left at the top
    assert report.peak_year("v3", "alle", "inwilligingen", [2019, 2021, 2022]) == "2019"
