-- Chain depth of every stacked application (domain.md section 3). Walk from the referent
-- B along first steps: B's F1 referent A, A's F1 referent, ... The depth of X is 1 plus
-- the number of family-reunification admissions on that walk: 2 when A was not admitted
-- through family reunification, 3 when A was, and so on. The walk carries the persons it
-- passed; meeting one again is a cycle (bad data), reported and never followed.
CREATE OR REPLACE TEMP TABLE diepte AS
WITH RECURSIVE walk(start_id, cur, pad, niveau, cyclus) AS (
    SELECT f.persoon_id, f.f1_referent_id, [f.persoon_id], 1, f.f1_referent_id = f.persoon_id
    FROM eerste_stap AS f
    WHERE f.persoon_id IN (SELECT DISTINCT referent_id FROM gestapeld)
    UNION ALL
    SELECT w.start_id, f.f1_referent_id, list_append(w.pad, w.cur), w.niveau + 1,
           list_contains(list_append(w.pad, w.cur), f.f1_referent_id)
    FROM walk AS w
    JOIN eerste_stap AS f ON f.persoon_id = w.cur
    WHERE NOT w.cyclus
)
SELECT start_id AS referent_id, MAX(niveau) AS niveau, BOOL_OR(cyclus) AS cyclus
FROM walk
GROUP BY start_id;
