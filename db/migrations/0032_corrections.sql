-- Corrections as events (issue 16 items 4 and 5): every mistake is corrected by a new fact that
-- names what it corrects and why; `consult undo` records these same events to compensate a
-- command. Registered here so that consult.append (and `consult import`) accept their bodies.
--
-- PersonDetailsEdited names the fields that changed, never a personal value (name, e-mail and
-- phone stay in consult.person_details, where `consult forget` destroys them).

-- consult.shape_condition calls itself with constant arguments (money's keys, an array's
-- elements); declared IMMUTABLE, the planner folds those calls while planning the function's own
-- CASE, which folds them again: in a session that ran 0026 as one script (the migrator does),
-- the next consult.compile_event_types() recursed until "stack depth limit exceeded". STABLE
-- keeps the planner from folding it; it is called only when types are compiled, never per event.
ALTER FUNCTION consult.shape_condition(text, jsonb) STABLE;

INSERT INTO consult.event_types (type, schema_version, required, optional) VALUES
    ('PersonDetailsEdited', 1, '{"changed": "string[]"}',
        '{"title": "string", "previousTitle": "string", "level": ["frontline", "manager", "executive"], "previousLevel": ["frontline", "manager", "executive"]}'),
    ('OrganisationSectorChanged', 1, '{}', '{"from": "string", "to": "string"}'),
    ('WorkEntryCorrected', 1, '{"entry": "uuid", "day": "day", "from": "number", "to": "number", "reason": "string"}', '{}'),
    ('CoachingSessionCorrected', 1, '{"session": "uuid", "day": "day", "from": "integer", "to": "integer", "reason": "string"}', '{}'),
    ('LeadMovedBack', 1, '{"from": ["new", "contacted", "qualified", "proposal", "won", "lost"], "to": ["new", "contacted", "qualified", "proposal", "won", "lost"], "reason": "string"}', '{}'),
    ('HandoverItemReopened', 1, '{"item": "uuid", "was": "string", "reason": "string"}', '{}'),
    ('FollowUpCorrected', 1, '{"check": "uuid", "daysAfter": "integer", "accountActive": "boolean", "previousActive": "boolean", "reason": "string"}',
        '{"postsPerWeek": "number", "previousPostsPerWeek": "number"}'),
    ('ReferrerCorrected', 1, '{"from": "uuid", "to": "uuid", "reason": "string"}', '{}'),
    ('LeadValueCorrected', 1, '{"to": "money", "reason": "string"}', '{"from": "money"}');

SELECT consult.compile_event_types();
