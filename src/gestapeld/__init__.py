"""gestapeld: stacked family reunification (gestapelde gezinshereniging) as of any peildatum.

Four layers, each importing only those below it (README, "Layout"): `cli` on top;
`publication` (notebooks, pages, downloads, the site); `protection` (disclosure control);
`engine` (extract, linkage, counts); `config` and `provenance` at the bottom.
"""

__version__ = "0.1.0"
