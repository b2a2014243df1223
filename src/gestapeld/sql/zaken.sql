-- The extract as known on the peildatum (domain.md sections 4 and 7): an application exists
-- only if it was filed AND entered in the case system (registratiedatum) on or before the
-- peildatum; a later decision is invisible, so the application is still pending (lopend)
-- then. The view `extract` always has `registratiedatum` (linkage.connect fills it with
-- aanvraagdatum when the extract has no such column); an empty one counts as aanvraagdatum.
CREATE OR REPLACE TEMP TABLE zaken AS
SELECT
    zaak_id,
    persoon_id,
    referent_id,
    procedure,
    CAST(aanvraagdatum AS DATE) AS aanvraagdatum,
    CASE WHEN CAST(besluitdatum AS DATE) <= $peildatum THEN CAST(besluitdatum AS DATE) END AS besluitdatum,
    CASE WHEN CAST(besluitdatum AS DATE) <= $peildatum THEN besluit END AS besluit
FROM extract
WHERE CAST(aanvraagdatum AS DATE) <= $peildatum
  AND COALESCE(CAST(registratiedatum AS DATE), CAST(aanvraagdatum AS DATE)) <= $peildatum;

-- The form of a stacked application, named after X (second step) and F1 (first step),
-- domain.md section 3. One definition, used by the time series and the cross-section.
CREATE OR REPLACE TEMP MACRO vorm(x_procedure, f1_procedure) AS
    CASE
        WHEN x_procedure = 'nareis' AND f1_procedure = 'nareis' THEN 'nareis_op_nareis'
        WHEN x_procedure = 'nareis' AND f1_procedure = '8evrm'  THEN 'nareis_na_8evrm'
        WHEN x_procedure = '8evrm'  AND f1_procedure = 'nareis' THEN '8evrm_na_nareis'
        WHEN x_procedure = '8evrm'  AND f1_procedure = '8evrm'  THEN '8evrm_na_8evrm'
    END;
