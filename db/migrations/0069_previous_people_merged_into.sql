-- The people rows of a previous version saved before 0068 get their merged_into too.
--
-- 0068 brought the live rows of consult.people up to date from the log. A rebuild's previous
-- version (`consult projections rollback`) keeps its rows as JSON in
-- consult.projection_previous_rows, and those saved before 0068 have no merged_into key: a
-- rollback to them put back every merged duplicate as unmerged (NULL), so `consult find person`
-- listed duplicates again and a reader of consult.people counted them twice, until the next
-- rebuild.
--
-- Each such row is set as the fold would have set it at the checkpoint its version stands at
-- (consult.projection_previous.position): the last PersonMerged or PersonUnmerged of the
-- person's stream at or before that position decides. A row with neither gets an explicit
-- null, so this migration marks every row it has looked at.
UPDATE consult.projection_previous_rows r
   SET row = r.row || jsonb_build_object('merged_into',
                 (SELECT CASE WHEN e.type = 'PersonMerged' THEN (e.data ->> 'into')::uuid END
                    FROM consult.events e
                   WHERE e.tenant_id = r.tenant_id
                     AND e.stream = 'person-' || (r.row ->> 'person_id')
                     AND e.type IN ('PersonMerged', 'PersonUnmerged')
                     AND e.position <= p.position
                   ORDER BY e.position DESC
                   LIMIT 1))
  FROM consult.projection_previous p
 WHERE r.table_name = 'people'
   AND NOT r.row ? 'merged_into'
   AND p.tenant_id = r.tenant_id
   AND p.projection = 'backoffice';
