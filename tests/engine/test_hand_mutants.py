"""Hand-made mutants: each plausible bug, applied at runtime, must fail its named test.

mutmut (`make mutate`) mutates the Python modules but not the SQL of the method (sql/*.sql),
so the SQL bugs are listed here by hand (and in tests/MUTANTS.md): a text substitution in
one SQL file (served through `linkage.sql`) or in one function's source, and the test in
test_numbers.py that must then fail with an assertion. Nothing is written to disk.

If a substitution no longer applies (the code it mutates was rewritten), this test fails
and says so: update the mutant here and in tests/MUTANTS.md.
"""

from __future__ import annotations

import inspect
import textwrap

import pytest

import test_numbers as T
from gestapeld.engine import linkage
from gestapeld.protection import disclosure, disclosure_audit

# (id, where, old text, new text, the named test that must fail)
# `where` is an SQL file name (sql/<name>.sql) or "module.function" for Python.
MUTANTS = [
    # --- the seven bugs of issue 17
    (
        "tie_break_as_text",
        "eerste_stap",
        "TRY_CAST(z.zaak_id AS HUGEINT) NULLS LAST, z.zaak_id",
        "z.zaak_id",
        T.test_tie_break_numeric_zaak_id_9_before_10,
    ),
    (
        "own_permit_before_f1_counted",
        "gestapeld",
        "e.besluitdatum BETWEEN f.f1_besluitdatum AND x.aanvraagdatum",
        "e.besluitdatum <= x.aanvraagdatum",
        T.test_own_asylum_permit_table,
    ),
    (
        "gap_class_boundary_moved",
        "zaken",
        "WHEN m < 12 THEN",
        "WHEN m <= 12 THEN",
        T.test_time_between_steps_classes_and_boundaries,
    ),
    (
        "edition_audit_ignores_decrease",
        "disclosure_audit.edition_findings",
        " or (hi <= -1 and lo > -threshold)",
        "",
        T.test_edition_audit_finds_a_small_certain_decrease,
    ),
    (
        "v0_joins_on_wrong_key",
        "dwarsdoorsnede",
        "h.persoon_id = x.referent_id",
        "h.persoon_id = x.persoon_id",
        T.test_v0_counts_referents_whose_current_permit_is_family_reunification,
    ),
    (
        "true_zeros_published_as_small",
        "disclosure.protect",
        "0 < base_counts.get(k, policy.threshold) < policy.threshold",
        "base_counts.get(k, policy.threshold) < policy.threshold",
        T.test_true_zeros_of_an_empty_form_year_are_published_as_zero,
    ),
    (
        "application_on_peildatum_left_out",
        "zaken",
        "WHERE CAST(aanvraagdatum AS DATE) <= $peildatum",
        "WHERE CAST(aanvraagdatum AS DATE) < $peildatum",
        T.test_application_filed_on_the_peildatum_is_counted,
    ),
    # --- more SQL mutants (mutmut does not mutate SQL)
    (
        "gap_counted_in_calendar_months",
        "zaken",
        "- CASE WHEN day(tot) < day(van) THEN 1 ELSE 0 END",
        "",
        T.test_time_between_steps_classes_and_boundaries,
    ),
    (
        "gap_month_complete_a_day_late",
        "zaken",
        "day(tot) < day(van)",
        "day(tot) <= day(van)",
        T.test_time_between_steps_classes_and_boundaries,
    ),
    (
        "gap_upper_class_boundary_moved",
        "zaken",
        "WHEN m < 60 THEN",
        "WHEN m <= 60 THEN",
        T.test_time_between_steps_classes_and_boundaries,
    ),
    (
        "own_permit_on_x_day_left_out",
        "gestapeld",
        "e.besluitdatum BETWEEN f.f1_besluitdatum AND x.aanvraagdatum",
        "e.besluitdatum >= f.f1_besluitdatum AND e.besluitdatum < x.aanvraagdatum",
        T.test_own_asylum_permit_table,
    ),
    (
        "own_permit_on_f1_day_left_out",
        "gestapeld",
        "e.besluitdatum BETWEEN f.f1_besluitdatum AND x.aanvraagdatum",
        "e.besluitdatum > f.f1_besluitdatum AND e.besluitdatum <= x.aanvraagdatum",
        T.test_own_asylum_permit_table,
    ),
    (
        "own_permit_any_procedure",
        "gestapeld",
        "e.procedure = 'asiel' AND e.besluit = 'inwilliging'",
        "e.besluit = 'inwilliging'",
        T.test_own_asylum_permit_table,
    ),
    (
        "decision_on_peildatum_invisible",
        "zaken",
        "CASE WHEN CAST(besluitdatum AS DATE) <= $peildatum THEN besluit",
        "CASE WHEN CAST(besluitdatum AS DATE) < $peildatum THEN besluit",
        T.test_application_filed_on_the_peildatum_is_counted,
    ),
    (
        "x_filed_on_f1_day_not_stacked",
        "gestapeld",
        "f.f1_besluitdatum <= x.aanvraagdatum",
        "f.f1_besluitdatum < x.aanvraagdatum",
        T.test_time_between_steps_classes_and_boundaries,
    ),
    (
        "v0_current_permit_is_the_oldest",
        "dwarsdoorsnede",
        "ORDER BY besluitdatum DESC,",
        "ORDER BY besluitdatum ASC,",
        T.test_v0_counts_referents_whose_current_permit_is_family_reunification,
    ),
    (
        "depth_walk_stops_after_one_step",
        "diepte",
        "JOIN eerste_stap AS f ON f.persoon_id = w.cur",
        "JOIN eerste_stap AS f ON f.persoon_id = w.cur AND FALSE",
        T.test_chain_depth_table,
    ),
]


def _apply_python(monkeypatch, where: str, old: str, new: str) -> None:
    modname, funcname = where.split(".")
    module = {"disclosure": disclosure, "disclosure_audit": disclosure_audit}[modname]
    source = textwrap.dedent(inspect.getsource(getattr(module, funcname)))
    assert old in source, f"mutant text no longer in {where}: update tests/MUTANTS.md"
    namespace = dict(vars(module))
    exec(compile(source.replace(old, new, 1), f"<mutant of {where}>", "exec"), namespace)
    monkeypatch.setattr(module, funcname, namespace[funcname])


def _apply_sql(monkeypatch, name: str, old: str, new: str) -> None:
    original = linkage.sql(name)
    assert original.count(old) == 1, f"mutant text not found once in sql/{name}.sql: update tests/MUTANTS.md"
    mutated = original.replace(old, new)
    real = linkage.sql
    monkeypatch.setattr(linkage, "sql", lambda n: mutated if n == name else real(n))


@pytest.mark.parametrize("mutant_id, where, old, new, named_test", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_hand_made_mutant_is_caught(monkeypatch, mutant_id, where, old, new, named_test):
    named_test()  # passes on the real code
    if "." in where:
        _apply_python(monkeypatch, where, old, new)
    else:
        _apply_sql(monkeypatch, where, old, new)
    with pytest.raises(AssertionError):
        named_test()
