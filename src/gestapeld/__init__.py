"""gestapeld: stacked family reunification (gestapelde gezinshereniging) as of any peildatum.

Layers, each importing only those below it (README, "Layout"): `cli` on top; `publication`
(notebooks, pages, downloads, the site); beneath it, side by side and independent,
`protection` (disclosure control) and `engine` (extract, linkage, counts); `provenance` and
`config` at the bottom.
"""

__version__ = "0.1.0"
