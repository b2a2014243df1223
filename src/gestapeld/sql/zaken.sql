-- The extract as known on the peildatum (domain.md section 4): an application exists only
-- if it was filed on or before the peildatum; a later decision is invisible, so the
-- application is still pending (lopend) then.
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
WHERE CAST(aanvraagdatum AS DATE) <= $peildatum;
