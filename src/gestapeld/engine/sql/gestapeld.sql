-- The stacked applications X (domain.md section 3): a nareis or 8evrm application in the
-- period whose referent B has a first step F1 decided on or before X's application date.
-- The form is named after X (second step) and F1 (first step). Whether B obtained an own
-- asylum permit between the two steps is reported, not required.
CREATE OR REPLACE TEMP TABLE gestapeld AS
SELECT
    x.zaak_id,
    x.referent_id,
    x.procedure,
    x.aanvraagdatum,
    x.besluitdatum,
    x.besluit,
    vorm(x.procedure, f.f1_procedure) AS vorm_ruw,
    f.f1_zaak_id,
    f.f1_besluitdatum,
    EXISTS (
        SELECT 1 FROM zaken AS e
        WHERE e.persoon_id = x.referent_id AND e.procedure = 'asiel' AND e.besluit = 'inwilliging'
          AND e.besluitdatum BETWEEN f.f1_besluitdatum AND x.aanvraagdatum
    ) AS eigen_asielvergunning
FROM zaken AS x
JOIN eerste_stap AS f ON f.persoon_id = x.referent_id
WHERE x.procedure IN ('nareis', '8evrm')
  AND f.f1_besluitdatum <= x.aanvraagdatum
  AND x.aanvraagdatum BETWEEN $start AND $end;
