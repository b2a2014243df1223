"""Pages made from template files (issue 15): the edition landing page.

The template (publication/templates/editie.md.j2) uses [[ ]] for its own values, so MyST's
{{ substitution }} syntax must reach the page unrendered, and every value must come from
the iteration's YAML entry.
"""

from __future__ import annotations

import pytest

from gestapeld import config
from gestapeld.publication import publish

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


@pytest.mark.parametrize("edition", [i for i in config.iterations() if i != list(config.iterations())[-1]])
def test_edition_page_is_filled_from_the_yaml_and_keeps_myst_substitutions(edition):
    it = config.iteration(edition)
    page = publish.edition_page(edition)
    assert page.startswith(f"(editie-{edition})=\n# Editie {edition}: {it.titel}\n")
    peil = it.peildatum
    assert f"({peil.day} {MONTHS[peil.month - 1]} {peil.year})" in page
    assert f"**{it.tijdlijn}**" in page and f"**Aanleiding.** {it.verzoek}." in page
    for key in ("alle_aanvragen_tekst", "alle_inwilligingen_tekst"):
        assert f"{{glue:text}}`../iteraties/{edition}.ipynb::{key}:s`" in page
    for name in ("gegevens_titel", "gegevens_tekst", "gegevens_onderwerp"):
        assert "{{ " + name + " }}" in page  # MyST substitutions, filled per build
    assert "[[" not in page and "[%" not in page  # nothing of the template left over
    assert page.endswith("was gebeurd.\n")
