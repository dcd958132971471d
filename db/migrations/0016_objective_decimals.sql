-- A metric's own precision: the most decimals among every value given for it.
--
-- Tables show a metric's baseline, latest and target with the same number of decimals, the
-- most its values were given with (baseline 1.8, target 3.5, a measurement of 2.4: one decimal;
-- followers 1240 and 2390: none). Measurements other than the latest two are not kept in the
-- row, so the fold keeps the count itself: baseline, every target, every measurement and
-- correction.
--
-- Rows projected before this migration get the most decimals of the values the row holds
-- (baseline, target, latest, previous); an older measurement with more decimals is counted
-- only by a rebuild (`consult projections rebuild`), which `rebuild --verify` reports.
ALTER TABLE consult.objective_progress ADD COLUMN decimals integer NOT NULL DEFAULT 0;

UPDATE consult.objective_progress
   SET decimals = greatest(scale(trim_scale(baseline)), scale(trim_scale(target)), coalesce(scale(trim_scale(latest)), 0),
                      coalesce(scale(trim_scale(previous)), 0));
