-- The first step F1 of every person who can matter (domain.md section 3): the earliest
-- granted family reunification "bij asiel" of that person as a family member.
--   * a granted nareis is bij asiel by definition;
--   * a granted 8evrm only when its referent held an asylum permit (a granted asiel or
--     nareis) decided on or before the 8evrm application's date. Any other 8evrm (say with
--     a Dutch sponsor) is ordinary family migration and never a candidate.
-- Only someone who is the referent of some family application can be B of a stacked X or
-- A further down a chain, so F1 is computed for those persons only (same result, and
-- about twice as fast on large extracts: benchmarks/results/bench.md).
CREATE OR REPLACE TEMP TABLE toegelaten_referent AS
SELECT z.* FROM zaken AS z
WHERE z.besluit = 'inwilliging' AND z.procedure IN ('nareis', '8evrm')
  AND z.persoon_id IN (SELECT referent_id FROM zaken WHERE procedure IN ('nareis', '8evrm'));

CREATE OR REPLACE TEMP TABLE asielvergunning AS
SELECT persoon_id, MIN(besluitdatum) AS sinds FROM zaken
WHERE procedure IN ('asiel', 'nareis') AND besluit = 'inwilliging'
  AND persoon_id IN (SELECT referent_id FROM toegelaten_referent WHERE procedure = '8evrm')
GROUP BY persoon_id;

CREATE OR REPLACE TEMP TABLE eerste_stap AS
SELECT
    z.persoon_id,
    z.zaak_id      AS f1_zaak_id,
    z.procedure    AS f1_procedure,
    z.referent_id  AS f1_referent_id,
    z.besluitdatum AS f1_besluitdatum
FROM toegelaten_referent AS z
LEFT JOIN asielvergunning AS a ON a.persoon_id = z.referent_id
WHERE z.procedure = 'nareis' OR (z.procedure = '8evrm' AND a.sinds <= z.aanvraagdatum)
-- "ties: smallest zaak_id": numerically when the identifiers are numbers, else as text
QUALIFY row_number() OVER (
    PARTITION BY z.persoon_id
    ORDER BY z.besluitdatum, TRY_CAST(z.zaak_id AS HUGEINT) NULLS LAST, z.zaak_id
) = 1;
