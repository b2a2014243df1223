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

-- Time between the two steps (domain.md section 4): whole months elapsed from F1's decision
-- to X's application, counted the way an age is: the month count goes up on the day of
-- the month of the start date, not at a calendar-month boundary. 10 March 2019 -> 9 March
-- 2020 is 11 months, -> 10 March 2020 is 12. When that day does not exist in the later
-- month, the month is complete only on the 1st of the next month (the usual rule for
-- ages): 31 January -> 28 or 29 February is 0 months, -> 1 March is 1; 29 February 2020 ->
-- 28 February 2021 is 11 months, -> 1 March 2021 is 12.
CREATE OR REPLACE TEMP MACRO maanden_verstreken(van, tot) AS
    (year(tot) - year(van)) * 12 + (month(tot) - month(van))
    - CASE WHEN day(tot) < day(van) THEN 1 ELSE 0 END;

-- The published classes of that time, in whole months (domain.md section 4).
CREATE OR REPLACE TEMP MACRO tussentijd_klasse(m) AS
    CASE WHEN m < 12 THEN '0-11 maanden'
         WHEN m < 24 THEN '12-23 maanden'
         WHEN m < 36 THEN '24-35 maanden'
         WHEN m < 60 THEN '36-59 maanden'
         ELSE '60 maanden of meer' END;
