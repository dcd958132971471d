-- A merged duplicate says so in consult.people.
--
-- `consult person merge KEPT DUPLICATE` records PersonMerged on the duplicate's stream. From then
-- on the reports count the duplicate's events for the person kept, and `consult find person`
-- lists the kept one only. But the read model kept the duplicate's row like anyone else's, so a
-- spreadsheet or BI tool counting consult.people counted the person twice. The row now names the
-- person it was merged into. It is NULL for everyone else, and NULL again after `consult undo`
-- of the merge. Such a reader leaves duplicates out with WHERE merged_into IS NULL.
--
-- Rows projected before this migration are brought up to date here from the log, as the fold
-- does it: the last PersonMerged or PersonUnmerged of each person's stream decides.
ALTER TABLE consult.people ADD COLUMN merged_into uuid;

COMMENT ON COLUMN consult.people.merged_into IS
    'The person this one was merged into (a duplicate); NULL when not merged.';

UPDATE consult.people p
   SET merged_into = (m.data ->> 'into')::uuid
  FROM (SELECT DISTINCT ON (e.tenant_id, e.stream) e.tenant_id, e.stream, e.type, e.data
          FROM consult.events e
         WHERE e.type IN ('PersonMerged', 'PersonUnmerged')
         ORDER BY e.tenant_id, e.stream, e.position DESC) m
 WHERE m.type = 'PersonMerged'
   AND p.tenant_id = m.tenant_id
   AND m.stream = 'person-' || p.person_id::text;
