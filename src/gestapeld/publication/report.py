"""What the notebooks call: one function per cell, published (protected) values only.

This module is the notebooks' API (`from gestapeld.publication import report`); it holds
no logic of its own (but `clear_caches`) and re-exports the rooms that do the work:

* source.py: where the data come from, its label, and how numbers are written;
* kept_results.py: exact results, computed once per build and kept (internal);
* protected.py: the protected cells of a page, its totals and shares;
* page_tables.py: the tables of the pages, with reader labels;
* glue.py: glue and citations (a number's way to the text pages);
* calibration_page.py and examples_page.py: the calibration and worked-example pages.

`config` and `disclosure` stay reachable as `report.config` and `report.disclosure`.
"""

from __future__ import annotations

from .. import config
from ..protection import disclosure
from .calibration_page import (
    CALIBRATION_COLUMNS,
    calibration_label,
    calibration_met,
    calibration_table,
    glue_calibration,
)
from .examples_page import (
    EXAMPLE_COLUMNS,
    PROCEDURE_LABELS,
    example_input,
    example_parameters,
    example_result,
    glue_examples,
)
from .glue import (
    GLUE_PREFIX,
    GLUED,
    IND_CITATION,
    IND_FIGURE_PREFIX,
    anchor,
    citation,
    glue,
    glue_disclosure,
    glue_iteration,
    glue_reconciliation,
    glue_source,
    sources,
)
from .kept_results import (
    kept,
    parameter_key,
    prefetch,
    result,
    template_fingerprint,
)
from .page_tables import (
    NOT_APPLICABLE,
    depth_table,
    disclosure_note,
    disclosure_table,
    display_orderfree,
    display_steps,
    display_table,
    gap_table,
    has_depth,
    iterations_overview,
    numeric_wide,
    own_permit_table,
    parameters_table,
    parameters_text,
    peak_year,
    provenance_table,
    reconciliation_parameters,
    series_title,
    share_table,
    share_text,
    write_downloads,
)
from .protected import (
    DEPTH_CLASSES,
    GAP_CLASSES,
    OWN_PERMIT,
    SUBTOTAL,
    has_subtotal,
    is_measure_cell,
    long_table,
    page_cells,
    previous_edition,
    protect_result,
    protected_cells,
    published_long,
    published_number,
    published_wide,
    share,
    total,
)
from .source import (
    MEASURE_LABELS,
    METHOD_LABELS,
    NOT_COMPUTABLE,
    PARAMETER_METHOD_LABELS,
    SYMBOL_WORDS,
    data_notice,
    data_path,
    data_source,
    effect_text,
    extract_path,
    is_synthetic,
    load_extract,
    nl_number,
    percent,
    published_text,
    resolve,
    setup,
)

__all__ = [
    "CALIBRATION_COLUMNS",
    "DEPTH_CLASSES",
    "EXAMPLE_COLUMNS",
    "GAP_CLASSES",
    "GLUED",
    "GLUE_PREFIX",
    "IND_CITATION",
    "IND_FIGURE_PREFIX",
    "MEASURE_LABELS",
    "METHOD_LABELS",
    "NOT_APPLICABLE",
    "NOT_COMPUTABLE",
    "OWN_PERMIT",
    "PARAMETER_METHOD_LABELS",
    "PROCEDURE_LABELS",
    "SUBTOTAL",
    "SYMBOL_WORDS",
    "anchor",
    "calibration_label",
    "calibration_met",
    "calibration_table",
    "citation",
    "clear_caches",
    "config",
    "data_notice",
    "data_path",
    "data_source",
    "depth_table",
    "disclosure",
    "disclosure_note",
    "disclosure_table",
    "display_orderfree",
    "display_steps",
    "display_table",
    "effect_text",
    "example_input",
    "example_parameters",
    "example_result",
    "extract_path",
    "gap_table",
    "glue",
    "glue_calibration",
    "glue_disclosure",
    "glue_examples",
    "glue_iteration",
    "glue_reconciliation",
    "glue_source",
    "has_depth",
    "has_subtotal",
    "is_measure_cell",
    "is_synthetic",
    "iterations_overview",
    "kept",
    "load_extract",
    "long_table",
    "nl_number",
    "numeric_wide",
    "own_permit_table",
    "page_cells",
    "parameter_key",
    "parameters_table",
    "parameters_text",
    "peak_year",
    "percent",
    "prefetch",
    "previous_edition",
    "protect_result",
    "protected_cells",
    "provenance_table",
    "published_long",
    "published_number",
    "published_text",
    "published_wide",
    "reconciliation_parameters",
    "resolve",
    "result",
    "series_title",
    "setup",
    "share",
    "share_table",
    "share_text",
    "sources",
    "template_fingerprint",
    "total",
    "write_downloads",
]


def clear_caches() -> None:
    """Forget what this process computed (a fresh kernel): the typed copy's path, the exact
    results and the protected cells kept in memory; the private cache on disk stays."""
    from . import kept_results, protected, source

    for room in (source, kept_results, protected):
        room.clear_cache()
