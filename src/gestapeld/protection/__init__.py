"""Statistical disclosure control: nothing leaves the engine unprotected.

`disclosure` holds the policy (threshold, rounding base, minimum range) and the primary
suppression of a table; `disclosure_audit` is the secondary suppression that hides further
cells until the audit finds nothing, and the audit of whole pages: the attacker's integer
program (`audit_program`) over the relations among the cells a page publishes
(`audit_structure`); `intervals` is the first, interval-propagation audit; `checker_report`
is the output checker's report. Imports only `config`: neither the engine nor the
publication layer. The cells to protect are passed in (`publication.protected` builds them
from the engine's counts), so the protection is tested on cells alone, without an extract or
a page.
"""
