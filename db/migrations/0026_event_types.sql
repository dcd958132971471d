-- The log refuses a body that is not a valid event of its type (issue 18, item 3).
--
-- Measured before: a member's raw `consult.append` of OrganisationRegistered with the body
-- {"name": 42} was accepted; from then on every command of that tenant warned with a decoding
-- error, catch-up, rebuild and `log` failed, and the owner's nightly rebuild stopped at that
-- tenant. `consult import` accepted the same line.
--
-- consult.event_types registers every event type and schema version the domain writes
-- (Sources/BackOffice/Events.swift, EventTypes.all: 47 types, all at version 1), with its keys:
--   required  key → shape: present and not null
--   optional  key → shape: absent, null, or of that shape
-- A shape is one of
--   "string" "number" "integer" "boolean" "array" "object"   the JSON type (integer: no fraction)
--   "uuid"      a string of 8-4-4-4-12 hex digits (how Swift encodes and decodes a UUID)
--   "day"       a string YYYY-MM-DD (BackOffice.Day)
--   "money"     an object {"minorUnits": integer, "currency": string} (BackOffice.Money)
--   "uuid[]" "string[]"   an array of those
--   ["a", "b"]  a string, one of these (a Swift enum's raw values)
-- Other keys are allowed (the decoders ignore them; a later version may add some). Only the top
-- level and the shapes above are checked: what the decoders check beyond (a day that does not
-- exist, a currency that is not three capitals) is not.
--
-- consult.append checks every body (SQLSTATE CN022, naming the event, the type and the key), so
-- does `consult import` (Transfer.importLines), through consult.event_body_problem(), which
-- consult.compile_event_types() writes from this table. An unknown type or version is refused
-- the same way. A new event type or version is registered by the migration that ships it (an
-- INSERT, then SELECT consult.compile_event_types()); `EventSchemaTests` (Tests/ConsultTests)
-- fails when the Swift types and this table disagree.

CREATE TABLE consult.event_types (
    type           text NOT NULL,
    schema_version integer NOT NULL CHECK (schema_version > 0),
    required       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(required) = 'object'),
    optional       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(optional) = 'object'),
    PRIMARY KEY (type, schema_version)
);
REVOKE ALL ON consult.event_types FROM PUBLIC;
GRANT SELECT ON consult.event_types TO consult_admin;

INSERT INTO consult.event_types (type, schema_version, required, optional) VALUES
    ('OrganisationRegistered', 1, '{"organisation": "uuid", "handle": "string", "name": "string"}', '{"sector": "string", "website": "string"}'),
    ('OrganisationRenamed', 1, '{"name": "string", "handle": "string"}', '{}'),
    ('HandleClaimed', 1, '{"kind": ["organisation", "person", "lead", "engagement", "objective"], "id": "uuid"}', '{"parent": "uuid"}'),
    ('HandleReleased', 1, '{}', '{}'),
    ('PersonAdded', 1, '{"person": "uuid"}', '{"organisation": "uuid", "title": "string", "level": ["frontline", "manager", "executive"]}'),
    ('PersonMovedOrganisation', 1, '{"to": "uuid"}', '{"from": "uuid"}'),
    ('PersonLeftOrganisation', 1, '{"organisation": "uuid"}', '{}'),
    ('PersonForgotten', 1, '{"askedBy": ["person", "organisation", "consultant"]}', '{}'),
    ('IntroductionRequested', 1, '{"person": "uuid"}', '{"note": "string"}'),
    ('IntroductionAnswered', 1, '{"person": "uuid", "outcome": ["promised", "declined", "no-reply"]}', '{}'),
    ('LeadCaptured', 1, '{"lead": "uuid", "handle": "string", "organisation": "uuid", "source": ["referral", "repeat", "inbound", "talk", "content", "outbound"]}', '{"value": "money", "expectedClose": "day", "need": "string"}'),
    ('ReferralReceived', 1, '{"referrer": "uuid"}', '{"via": "uuid", "warmth": "string"}'),
    ('LeadStageChanged', 1, '{"from": ["new", "contacted", "qualified", "proposal", "won", "lost"], "to": ["new", "contacted", "qualified", "proposal", "won", "lost"]}', '{"probability": "integer"}'),
    ('LeadQualified', 1, '{"statedObjectives": "string[]", "budgetSource": ["existing-spend", "new-budget", "unknown"]}', '{"sponsor": "uuid"}'),
    ('LeadDisqualified', 1, '{"reason": ["no-business-objective", "no-sponsor", "no-budget", "not-a-fit", "timing"]}', '{"note": "string"}'),
    ('ProposalSent', 1, '{"value": "money"}', '{"validUntil": "day"}'),
    ('LeadValueRevised', 1, '{"to": "money"}', '{"from": "money"}'),
    ('ExpectedCloseMoved', 1, '{"to": "day"}', '{"from": "day"}'),
    ('LeadWon', 1, '{"engagement": "uuid"}', '{}'),
    ('LeadLost', 1, '{"reason": "string"}', '{"note": "string"}'),
    ('LeadReopened', 1, '{}', '{}'),
    ('ReferrerThanked', 1, '{"referrer": "uuid", "on": "day"}', '{}'),
    ('EngagementStarted', 1, '{"engagement": "uuid", "handle": "string", "organisation": "uuid", "title": "string", "kind": ["launch", "coaching", "strategy", "audit", "retainer"]}', '{"lead": "uuid", "fee": "money", "budgetHours": "number", "hoursPerMonth": "number", "plannedHandover": "day"}'),
    ('PurposeStated', 1, '{"purpose": "string"}', '{}'),
    ('SponsorAppointed', 1, '{"person": "uuid"}', '{}'),
    ('ChampionNominated', 1, '{"person": "uuid", "level": ["frontline", "manager", "executive"]}', '{}'),
    ('ChampionStoodDown', 1, '{"person": "uuid", "reason": "string"}', '{}'),
    ('ChannelAdopted', 1, '{"channel": ["twitter", "facebook", "blog", "video", "podcast", "linkedin", "instagram", "other"], "servesObjectives": "uuid[]"}', '{"handle": "string"}'),
    ('ChannelRetired', 1, '{"channel": ["twitter", "facebook", "blog", "video", "podcast", "linkedin", "instagram", "other"], "reason": "string"}', '{}'),
    ('CoachingSessionHeld', 1, '{"attendees": "uuid[]", "topics": "string[]", "minutes": "integer"}', '{}'),
    ('WorkLogged', 1, '{"hours": "number", "activity": "string", "billable": "boolean"}', '{}'),
    ('ObjectiveSet', 1, '{"objective": "uuid", "handle": "string", "businessArea": "string", "statement": "string", "metric": "string", "direction": ["up", "down"], "baseline": "number", "target": "number", "due": "day"}', '{"unit": "string"}'),
    ('MeasurementRecorded', 1, '{"objective": "uuid", "measurement": "uuid", "value": "number"}', '{"source": "string", "note": "string"}'),
    ('MeasurementCorrected', 1, '{"objective": "uuid", "corrects": "uuid", "value": "number", "reason": "string"}', '{}'),
    ('TargetRevised', 1, '{"objective": "uuid", "from": "number", "to": "number", "reason": "string"}', '{"due": "day"}'),
    ('ObjectiveAchieved', 1, '{"objective": "uuid"}', '{}'),
    ('ObjectiveDropped', 1, '{"objective": "uuid", "reason": "string"}', '{}'),
    ('HandoverPlanned', 1, '{"on": "day", "receivingOwners": "uuid[]", "sponsor": "uuid"}', '{}'),
    ('HandoverItemAdded', 1, '{"item": "uuid", "handle": "string", "category": "string", "text": "string"}', '{}'),
    ('HandoverItemCompleted', 1, '{"item": "uuid"}', '{}'),
    ('HandoverItemWaived', 1, '{"item": "uuid", "reason": "string"}', '{}'),
    ('AccountControlTransferred', 1, '{"channel": ["twitter", "facebook", "blog", "video", "podcast", "linkedin", "instagram", "other"], "to": "uuid"}', '{}'),
    ('HandoverCompleted', 1, '{"signedOffBy": "uuid"}', '{}'),
    ('FollowUpChecked', 1, '{"daysAfter": "integer", "accountActive": "boolean"}', '{"postsPerWeek": "number", "note": "string"}'),
    ('EngagementPaused', 1, '{"reason": "string"}', '{}'),
    ('EngagementResumed', 1, '{}', '{}'),
    ('EngagementClosed', 1, '{"outcome": ["handed-over", "completed", "terminated", "lost-interest"]}', '{"reason": "string"}');


-- The SQL condition that a JSON value (an expression) has a shape (see above). Each test is
-- guarded by the value's JSON type first: SQL does not promise to evaluate AND left to right.
CREATE FUNCTION consult.shape_condition(p_value text, p_shape jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_uuid constant text := '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
    v_day  constant text := '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
    v_shape text := p_shape #>> '{}';
BEGIN
    IF jsonb_typeof(p_shape) = 'array' THEN
        RETURN format('coalesce(jsonb_typeof(%1$s) = ''string'' AND (%1$s #>> ''{}'') = ANY (%2$L::text[]), false)', p_value,
                      ARRAY(SELECT jsonb_array_elements_text(p_shape)));
    END IF;
    RETURN CASE v_shape
        WHEN 'string' THEN format('coalesce(jsonb_typeof(%s) = ''string'', false)', p_value)
        WHEN 'number' THEN format('coalesce(jsonb_typeof(%s) = ''number'', false)', p_value)
        WHEN 'boolean' THEN format('coalesce(jsonb_typeof(%s) = ''boolean'', false)', p_value)
        WHEN 'array' THEN format('coalesce(jsonb_typeof(%s) = ''array'', false)', p_value)
        WHEN 'object' THEN format('coalesce(jsonb_typeof(%s) = ''object'', false)', p_value)
        WHEN 'integer' THEN format('CASE WHEN jsonb_typeof(%1$s) = ''number'' THEN (%1$s #>> ''{}'')::numeric = trunc((%1$s #>> ''{}'')::numeric) ELSE false END', p_value)
        WHEN 'uuid' THEN format('CASE WHEN jsonb_typeof(%1$s) = ''string'' THEN (%1$s #>> ''{}'') ~ %2$L ELSE false END', p_value, v_uuid)
        WHEN 'day' THEN format('CASE WHEN jsonb_typeof(%1$s) = ''string'' THEN (%1$s #>> ''{}'') ~ %2$L ELSE false END', p_value, v_day)
        WHEN 'money' THEN format('CASE WHEN jsonb_typeof(%1$s) = ''object'' THEN %2$s AND %3$s ELSE false END', p_value,
                                 consult.shape_condition(format('(%s -> ''minorUnits'')', p_value), '"integer"'),
                                 consult.shape_condition(format('(%s -> ''currency'')', p_value), '"string"'))
        WHEN 'uuid[]' THEN format('CASE WHEN jsonb_typeof(%1$s) = ''array'' THEN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(%1$s) e WHERE NOT %2$s) ELSE false END',
                                  p_value, consult.shape_condition('e', '"uuid"'))
        WHEN 'string[]' THEN format('CASE WHEN jsonb_typeof(%1$s) = ''array'' THEN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(%1$s) e WHERE NOT %2$s) ELSE false END',
                                    p_value, consult.shape_condition('e', '"string"'))
    END;
END
$$;

-- (Re)writes consult.event_body_problem(type, schema_version, body) from consult.event_types:
-- one branch per registered type, each a single expression testing its keys in turn, so that a
-- check costs a few microseconds (measured: reading the register and looping over its keys for
-- each body cost 40 µs for WorkLogged and 100 µs for ObjectiveSet). The function returns NULL
-- for a valid body and otherwise says why, naming the type and the key. A migration that
-- registers a type or version calls this again.
CREATE FUNCTION consult.compile_event_types() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $compile$
DECLARE
    v_type     record;
    v_key      record;
    v_branches text := '';
    v_tests    text;
    v_value    text;
    v_shape    text;
BEGIN
    FOR v_type IN SELECT * FROM consult.event_types ORDER BY type, schema_version LOOP
        v_tests := '';
        FOR v_key IN SELECT r.key, r.value, true AS required FROM jsonb_each(v_type.required) r
                     UNION ALL
                     SELECT o.key, o.value, false FROM jsonb_each(v_type.optional) o
                     ORDER BY 3 DESC, 1
        LOOP
            v_value := format('(p_body -> %L)', v_key.key);
            v_shape := CASE WHEN jsonb_typeof(v_key.value) = 'array' THEN 'one of ' || v_key.value::text ELSE v_key.value #>> '{}' END;
            IF v_key.required THEN
                v_tests := v_tests || format(
                    E'\n            WHEN coalesce(jsonb_typeof(%s), ''null'') = ''null'' THEN %L',
                    v_value, format('%s needs the key "%s" (%s)', v_type.type, v_key.key, v_shape));
                v_tests := v_tests || format(
                    E'\n            WHEN NOT %s THEN format(%L, left(%s::text, 100))',
                    consult.shape_condition(v_value, v_key.value), format('the key "%s" of %s must be %s, not %%s', v_key.key, v_type.type, v_shape),
                    v_value);
            ELSE
                v_tests := v_tests || format(
                    E'\n            WHEN coalesce(jsonb_typeof(%s), ''null'') <> ''null'' AND NOT %s THEN format(%L, left(%s::text, 100))',
                    v_value, consult.shape_condition(v_value, v_key.value),
                    format('the key "%s" of %s must be %s or null, not %%s', v_key.key, v_type.type, v_shape), v_value);
            END IF;
        END LOOP;
        v_branches := v_branches || format(
            E'\n    ELSIF p_type = %L AND p_schema_version = %s THEN\n        RETURN %s;',
            v_type.type, v_type.schema_version,
            CASE WHEN v_tests = '' THEN 'NULL' ELSE 'CASE' || v_tests || E'\n        END' END);
    END LOOP;
    EXECUTE format($f$
CREATE OR REPLACE FUNCTION consult.event_body_problem(p_type text, p_schema_version integer, p_body jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
AS $body$
BEGIN
    -- Written by consult.compile_event_types() from consult.event_types: do not edit. No SET
    -- search_path: it calls built-in functions only (pg_catalog is searched first whatever the
    -- path), and a SET clause on a function called for every event cost more than its checks.
    IF jsonb_typeof(p_body) IS DISTINCT FROM 'object' THEN
        RETURN format('the body of %%s is not a JSON object', p_type);%s
    END IF;
    RETURN format('%%s version %%s is not a registered event type', p_type, p_schema_version);
END
$body$$f$, v_branches);
    REVOKE ALL ON FUNCTION consult.event_body_problem(text, integer, jsonb) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION consult.event_body_problem(text, integer, jsonb) TO consult_admin;
END
$compile$;

REVOKE ALL ON FUNCTION consult.shape_condition(text, jsonb), consult.compile_event_types() FROM PUBLIC;

SELECT consult.compile_event_types();

-- consult.append: at most 1,000 events and 8 MiB of bodies a call (CN021, see 0025), and each
-- body checked against its type after parsing it.
CREATE OR REPLACE FUNCTION consult.append(
    p_tenant             bigint,
    p_command_id         uuid,
    p_streams            text[],
    p_types              text[],
    p_schema_versions    integer[],
    p_bodies             text[],
    p_event_ids          uuid[],
    p_occurred_at        timestamptz[],
    p_expected_streams   text[],
    p_expected_versions  bigint[],
    p_metadata           jsonb DEFAULT '{}'
) RETURNS TABLE (event_position bigint, event_stream text, event_stream_version bigint, replayed boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant   bigint;
    v_count    integer := coalesce(array_length(p_streams, 1), 0);
    v_position bigint;
    v_version  bigint;
    v_actual   bigint;
    v_body     jsonb;
    v_versions jsonb := '{}';
    v_now      timestamptz := now();
    v_meta     jsonb;
    v_bytes    bigint := 0;
    v_problem  text;
    i          integer;
BEGIN
    -- 1. The tenant: the login role's own, or, for an admin, the one named. (Looked up here
    --    rather than through consult.current_tenant_id(): a nested SECURITY DEFINER call per
    --    append cost more than the insert.)
    SELECT m.tenant_id INTO v_tenant FROM consult.members m WHERE m.role_name = session_user;
    IF p_tenant IS NOT NULL AND p_tenant IS DISTINCT FROM v_tenant THEN
        v_tenant := CASE WHEN (SELECT r.rolsuper OR pg_has_role(session_user, 'consult_admin', 'MEMBER')
                                 FROM pg_roles r WHERE r.rolname = session_user)
                         THEN p_tenant END;
    END IF;
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION 'role % belongs to no tenant that it may append to', session_user
            USING ERRCODE = 'CN002';
    END IF;

    -- Shape of the call.
    IF v_count = 0
       OR coalesce(array_length(p_types, 1), 0) <> v_count
       OR coalesce(array_length(p_schema_versions, 1), 0) <> v_count
       OR coalesce(array_length(p_bodies, 1), 0) <> v_count
       OR coalesce(array_length(p_event_ids, 1), 0) <> v_count
       OR coalesce(array_length(p_occurred_at, 1), 0) <> v_count
       OR coalesce(array_length(p_expected_streams, 1), 0) <> coalesce(array_length(p_expected_versions, 1), 0) THEN
        RAISE EXCEPTION 'an append needs at least one event, and one stream, type, schema version, body, id and date for each'
            USING ERRCODE = 'CN006';
    END IF;
    IF v_count > 1000 THEN
        RAISE EXCEPTION 'an append of % events is refused: the limit is 1000 events a call', v_count
            USING ERRCODE = 'CN021', HINT = 'Split the events into several appends (each its own command).';
    END IF;
    FOR i IN 1 .. v_count LOOP
        -- Unbounded patterns plus a length check: a bounded {0,199} costs ten times as much to match.
        IF p_streams[i] IS NULL OR length(p_streams[i]) > 200 OR p_streams[i] !~ '^[A-Za-z0-9][A-Za-z0-9._:@/+=-]*$' THEN
            RAISE EXCEPTION 'event %: stream name % is not 1-200 characters of letters, digits and ._:@/+=-', i, quote_nullable(p_streams[i])
                USING ERRCODE = 'CN006';
        END IF;
        IF p_types[i] IS NULL OR length(p_types[i]) > 100 OR p_types[i] !~ '^[A-Za-z][A-Za-z0-9._-]*$' THEN
            RAISE EXCEPTION 'event %: type % is not 1-100 characters of letters, digits and ._- starting with a letter', i, quote_nullable(p_types[i])
                USING ERRCODE = 'CN006';
        END IF;
        IF p_schema_versions[i] IS NULL OR p_schema_versions[i] < 1 OR p_event_ids[i] IS NULL OR p_bodies[i] IS NULL THEN
            RAISE EXCEPTION 'event %: schema version, id and body are required', i USING ERRCODE = 'CN006';
        END IF;
        IF octet_length(p_bodies[i]) > 1048576 THEN
            RAISE EXCEPTION 'event %: the body is % bytes; the limit is 1 MiB (1048576 bytes)', i, octet_length(p_bodies[i])
                USING ERRCODE = 'CN003';
        END IF;
        v_bytes := v_bytes + octet_length(p_bodies[i]);
    END LOOP;
    IF v_bytes > 8388608 THEN
        RAISE EXCEPTION 'an append of % bytes of bodies is refused: the limit is 8 MiB (8388608 bytes) a call', v_bytes
            USING ERRCODE = 'CN021', HINT = 'Split the events into several appends (each its own command).';
    END IF;

    -- 2. The tenant's lock. Invisible (or absent) tenants are unknown.
    PERFORM 1 FROM consult.tenants WHERE tenant_id = v_tenant FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % does not exist', v_tenant USING ERRCODE = 'CN002';
    END IF;

    -- 3. A command already recorded: its first result, nothing written.
    IF p_command_id IS NOT NULL THEN
        RETURN QUERY
            SELECT e.position, e.stream, e.stream_version, true
              FROM consult.events e
             WHERE e.tenant_id = v_tenant AND e.command_id = p_command_id
             ORDER BY e.position;
        IF FOUND THEN
            -- A replay is the same command again: the same streams, in the same order.
            IF ARRAY(SELECT e.stream FROM consult.events e
                      WHERE e.tenant_id = v_tenant AND e.command_id = p_command_id
                      ORDER BY e.position) IS DISTINCT FROM p_streams THEN
                RAISE EXCEPTION 'command % was already recorded with other events', p_command_id
                    USING ERRCODE = 'CN005';
            END IF;
            RETURN;
        END IF;
    END IF;

    -- 4. Expected versions, before any position is drawn.
    FOR i IN 1 .. coalesce(array_length(p_expected_streams, 1), 0) LOOP
        v_actual := coalesce((SELECT e.stream_version FROM consult.events e
                               WHERE e.tenant_id = v_tenant AND e.stream = p_expected_streams[i]
                               ORDER BY e.stream_version DESC LIMIT 1), 0);
        IF v_actual <> p_expected_versions[i] THEN
            RAISE EXCEPTION 'stream % is at version %, not %', p_expected_streams[i], v_actual, p_expected_versions[i]
                USING ERRCODE = 'CN001',
                      DETAIL = json_build_object('stream', p_expected_streams[i],
                                                 'expected', p_expected_versions[i],
                                                 'actual', v_actual)::text;
        END IF;
        v_versions := v_versions || jsonb_build_object(p_expected_streams[i], v_actual);
    END LOOP;

    -- 5. Positions and versions, then the rows.
    SELECT coalesce(max(e.position), 0) INTO v_position FROM consult.events e WHERE e.tenant_id = v_tenant;
    v_meta := coalesce(p_metadata, '{}') - 'actor' - 'recorded_at' - 'occurred_at' - 'command_id';
    FOR i IN 1 .. v_count LOOP
        v_body := p_bodies[i]::jsonb;
        IF jsonb_typeof(v_body) <> 'object' THEN
            RAISE EXCEPTION 'event %: the body is a JSON %, not an object', i, jsonb_typeof(v_body)
                USING ERRCODE = 'CN004';
        END IF;
        v_problem := consult.event_body_problem(p_types[i], p_schema_versions[i], v_body);
        IF v_problem IS NOT NULL THEN
            RAISE EXCEPTION 'event %: %', i, v_problem USING ERRCODE = 'CN022';
        END IF;
        IF p_occurred_at[i] IS NULL THEN
            RAISE EXCEPTION 'event %: occurred_at is required', i USING ERRCODE = 'CN006';
        END IF;
        IF v_versions ? p_streams[i] THEN
            v_version := (v_versions ->> p_streams[i])::bigint + 1;
        ELSE
            v_version := coalesce((SELECT e.stream_version FROM consult.events e
                                    WHERE e.tenant_id = v_tenant AND e.stream = p_streams[i]
                                    ORDER BY e.stream_version DESC LIMIT 1), 0) + 1;
        END IF;
        v_versions := v_versions || jsonb_build_object(p_streams[i], v_version);
        v_position := v_position + 1;
        INSERT INTO consult.events AS e
            (tenant_id, position, stream, stream_version, event_id, type, schema_version, data,
             metadata, command_id, occurred_at, recorded_at)
        VALUES
            (v_tenant, v_position, p_streams[i], v_version, p_event_ids[i], p_types[i], p_schema_versions[i], v_body,
             v_meta || jsonb_build_object('actor', session_user::text, 'occurred_at', p_occurred_at[i],
                                          'recorded_at', v_now, 'command_id', p_command_id),
             p_command_id, p_occurred_at[i], v_now);
        event_position := v_position;
        event_stream := p_streams[i];
        event_stream_version := v_version;
        replayed := false;
        RETURN NEXT;
    END LOOP;

    -- Wake followers, only when some are listening (0004 says why).
    IF EXISTS (SELECT 1 FROM consult.followers f
                WHERE f.tenant_id = v_tenant AND f.heartbeat_at > v_now - interval '30 seconds') THEN
        PERFORM pg_notify(consult.events_channel(v_tenant), v_position::text);
    END IF;
END
$$;

ALTER FUNCTION consult.append(bigint, uuid, text[], text[], integer[], text[], uuid[], timestamptz[], text[], bigint[], jsonb)
    SET plan_cache_mode = force_generic_plan;
