-- The naive cross-sectional method of the ad hoc query (iteration v0, domain.md section
-- 5): look only at the referent's *current* permit on the peildatum (his latest grant),
-- with no history. A referent who came by nareis and later won an own asylum case shows
-- up with an asylum permit, so this misses almost every stacked case. Kept on purpose.
CREATE OR REPLACE TEMP TABLE huidige_vergunning AS
SELECT persoon_id, procedure AS huidige_procedure, besluitdatum AS sinds, zaak_id AS vergunning_zaak_id
FROM zaken
WHERE besluit = 'inwilliging'
QUALIFY row_number() OVER (
    PARTITION BY persoon_id
    ORDER BY besluitdatum DESC, TRY_CAST(zaak_id AS HUGEINT) DESC NULLS FIRST, zaak_id DESC
) = 1;

CREATE OR REPLACE TEMP TABLE gestapeld AS
SELECT
    x.zaak_id,
    x.referent_id,
    x.procedure,
    x.aanvraagdatum,
    x.besluitdatum,
    x.besluit,
    vorm(x.procedure, h.huidige_procedure) AS vorm_ruw,
    h.vergunning_zaak_id AS f1_zaak_id,
    h.sinds AS f1_besluitdatum,
    FALSE AS eigen_asielvergunning
FROM zaken AS x
JOIN huidige_vergunning AS h ON h.persoon_id = x.referent_id
WHERE x.procedure IN ('nareis', '8evrm')
  AND h.huidige_procedure IN ('nareis', '8evrm')
  AND x.aanvraagdatum BETWEEN $start AND $end;
