"""Statistical disclosure control: nothing leaves the engine unprotected.

`disclosure` holds the policy (threshold, rounding base, minimum range) and the primary
suppression of a table; `disclosure_audit` is the attacker's integer program over the cells
a page publishes, and the secondary suppression that hides further cells until it finds
nothing. Imports the engine (its results), `config` and `provenance`, never the publication
layer: the cells to protect are passed in, so the protection is tested without a page.
"""
