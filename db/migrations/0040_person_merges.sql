-- Duplicates (issue 16 item 6): `consult person merge A B` folds a person added twice (B) into
-- the one kept (A), as an event on B's stream; `consult undo` voids it with another. Reports
-- count B's events for A while the merge stands (Sources/Reports/Merges.swift), as of any date.
INSERT INTO consult.event_types (type, schema_version, required, optional) VALUES
    ('PersonMerged', 1, '{"into": "uuid", "reason": "string"}', '{}'),
    ('PersonUnmerged', 1, '{"from": "uuid", "reason": "string"}', '{}');

SELECT consult.compile_event_types();

-- Every report asks which merges stand at its instant; they are few, the log is long.
CREATE INDEX events_person_merges_idx ON consult.events (tenant_id, position)
    WHERE type IN ('PersonMerged', 'PersonUnmerged');
