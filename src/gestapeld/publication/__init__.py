"""Publication: protected numbers become notebooks, pages, downloads, a PDF and a site.

`report` is what the notebooks call (published values only, glue, labels); `overview`,
`figures`, `reconcile` (differences between iterations) and `referentie` (the published
reference figures) serve the pages; `downloads` writes CSV and XLSX; `runner` executes the
notebooks with papermill; `publish` builds the site and its editions (`sphinx_ext`,
`workspace`, `checks` before publishing), `informatieblad` the information sheet from
`templates/`; `verify` is the reviewer's check. Imports protection, engine and the bottom.
"""
