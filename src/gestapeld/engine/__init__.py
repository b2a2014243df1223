"""The engine: from an extract to exact counts as of a peildatum.

`extract` reads and validates an extract (CSV or Parquet) and keeps its typed copy in the
private `cache`; `synth` writes the synthetic default extract and `calibration` compares it
with the published figures it is calibrated on; `linkage` runs the SQL of `sql/` (DuckDB)
that links each application to the step before it; `counts` turns that into the exact
tables of one iteration; `examples` runs the engine on the book's tiny invented cases.
Imports only `config` and `provenance`: the engine knows nothing of protection or pages.
"""
