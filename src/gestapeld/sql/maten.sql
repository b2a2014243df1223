-- The measures per form and calendar year of X's application date (domain.md section 4).
SELECT
    vorm AS categorie,
    CAST(year(aanvraagdatum) AS INTEGER) AS jaar,
    COUNT(*) AS aanvragen,
    COUNT(*) FILTER (WHERE besluit = 'inwilliging') AS inwilligingen,
    COUNT(*) FILTER (WHERE besluit = 'afwijzing') AS afwijzingen,
    COUNT(*) FILTER (WHERE besluit IN ('intrekking', 'buitenbehandeling')) AS overig_beeindigd,
    COUNT(*) FILTER (WHERE besluit IS NULL) AS lopend,
    COUNT(DISTINCT referent_id) AS personen
FROM gestapeld_in_scope
GROUP BY GROUPING SETS ((vorm, jaar), (jaar))
