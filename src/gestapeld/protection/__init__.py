"""Statistical disclosure control: nothing leaves the engine unprotected.

`disclosure` holds the policy (threshold, rounding base, minimum range) and the primary
suppression of a table; `disclosure_audit` is the attacker's integer program over the cells
a page publishes, and the secondary suppression that hides further cells until it finds
nothing. Imports only `config`: neither the engine nor the publication layer. The cells to
protect are passed in (`publication.report` builds them from the engine's counts), so the
protection is tested on cells alone, without an extract or a page.
"""
