-- consult.append on Citus (issue 20, items 4 and 5, and Build 3): the function of
-- db/migrations/0045 with two changes, and delegated to the tenant's worker.
--
-- 1. The tenant of a member is read from the role catalog (consult.current_tenant_id() of
--    0001), not from consult.members: the call may run on a worker, inside the tenant's shard,
--    where a query of a reference table is refused.
-- 2. A tenant without a head is unknown (0002 makes each tenant's head with the tenant):
--    0045's consult.ensure_tenant_head reads consult.tenants, which a worker cannot.
-- Kept from 0045: the lock and the positions in the tenant's row of consult.tenant_heads,
-- co-located with the log (a row lock on consult.tenants, a reference table, is taken on every
-- node, and two tenants' appends waited for each other), and no forced generic plan (Citus
-- cannot build a distributed plan for the function's statements from a generic plan: "could not
-- create distributed plan"; a custom plan routes each statement to the tenant's shard).
--
-- Delegation: create_distributed_function with p_tenant as the distribution argument,
-- co-located with consult.events: a call naming its tenant (the CLI names it for members and
-- admins alike) outside an explicit transaction runs whole on the worker that holds the tenant's
-- shards, one round trip from the coordinator; inside a transaction (a command that writes
-- people's details with its events) it runs on the coordinator and each statement is routed.
-- The functions it calls are distributed too, so that they exist on every node (and Citus
-- propagates their later CREATE OR REPLACE). A follower's notification is sent on the node
-- where the append ran: followers poll too (0004), so a follower on the coordinator learns of a
-- delegated append at its next poll.
--
-- A later consult.append in db/migrations must come with its Citus form here, with the same two
-- changes, keeping p_tenant its first argument (the delegation is by it).

-- Commands on distributed functions need one connection a node for the whole transaction.
SET LOCAL citus.multi_shard_modify_mode = 'sequential';

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
    v_checks   integer := coalesce(array_length(p_expected_streams, 1), 0);
    v_position bigint;
    v_first    bigint;
    v_version  bigint;
    v_actual   bigint;
    v_body     jsonb;
    v_seen     text[] := '{}';
    v_versions bigint[] := '{}';
    v_now      timestamptz := now();
    v_meta     jsonb;
    v_bytes    bigint := 0;
    v_problem  text;
    v_at       integer;
    v_notify   boolean;
    i          integer;
BEGIN
    -- 1. The tenant: the login role's own, or, for an admin, the one named.
    v_tenant := consult.current_tenant_id();
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
       OR coalesce(array_length(p_expected_versions, 1), 0) <> v_checks THEN
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

    -- 2. The tenant's lock and its positions, in one statement. Invisible (or absent) tenants
    --    are unknown.
    UPDATE consult.tenant_heads h SET last_position = h.last_position + v_count
     WHERE h.tenant_id = v_tenant
    RETURNING h.last_position - v_count INTO v_position;
    IF NOT FOUND THEN
        -- Every tenant has its head from its creation (0002): none is a tenant unknown here.
        RAISE EXCEPTION 'tenant % does not exist', v_tenant USING ERRCODE = 'CN002';
    END IF;

    -- 3. A command already recorded: its first result, nothing written, the positions given
    --    back. A single event's stream version is read in the same statement, and whether
    --    followers listen (0004: the append NOTIFYs only then).
    IF v_count = 1 AND (v_checks = 0 OR (v_checks = 1 AND p_expected_streams[1] = p_streams[1])) THEN
        SELECT (SELECT e.position FROM consult.events e
                 WHERE e.tenant_id = v_tenant AND e.command_id = p_command_id LIMIT 1),
               coalesce((SELECT e.stream_version FROM consult.events e
                          WHERE e.tenant_id = v_tenant AND e.stream = p_streams[1]
                          ORDER BY e.stream_version DESC LIMIT 1), 0),
               EXISTS (SELECT 1 FROM consult.followers f
                        WHERE f.tenant_id = v_tenant AND f.heartbeat_at > v_now - interval '30 seconds')
          INTO v_first, v_actual, v_notify;
        v_seen := p_streams;
        v_versions := ARRAY[v_actual];
    ELSE
        SELECT (SELECT e.position FROM consult.events e
                 WHERE e.tenant_id = v_tenant AND e.command_id = p_command_id LIMIT 1),
               EXISTS (SELECT 1 FROM consult.followers f
                        WHERE f.tenant_id = v_tenant AND f.heartbeat_at > v_now - interval '30 seconds')
          INTO v_first, v_notify;
    END IF;
    IF v_first IS NOT NULL THEN
        UPDATE consult.tenant_heads h SET last_position = h.last_position - v_count WHERE h.tenant_id = v_tenant;
        RETURN QUERY
            SELECT e.position, e.stream, e.stream_version, true
              FROM consult.events e
             WHERE e.tenant_id = v_tenant AND e.command_id = p_command_id
             ORDER BY e.position;
        -- A replay is the same command again: the same streams, in the same order.
        IF ARRAY(SELECT e.stream FROM consult.events e
                  WHERE e.tenant_id = v_tenant AND e.command_id = p_command_id
                  ORDER BY e.position) IS DISTINCT FROM p_streams THEN
            RAISE EXCEPTION 'command % was already recorded with other events', p_command_id
                USING ERRCODE = 'CN005';
        END IF;
        RETURN;
    END IF;

    -- 4. Expected versions, before anything is written.
    FOR i IN 1 .. v_checks LOOP
        v_at := array_position(v_seen, p_expected_streams[i]);
        IF v_at IS NOT NULL THEN
            v_actual := v_versions[v_at];
        ELSE
            v_actual := coalesce((SELECT e.stream_version FROM consult.events e
                                   WHERE e.tenant_id = v_tenant AND e.stream = p_expected_streams[i]
                                   ORDER BY e.stream_version DESC LIMIT 1), 0);
        END IF;
        IF v_actual <> p_expected_versions[i] THEN
            RAISE EXCEPTION 'stream % is at version %, not %', p_expected_streams[i], v_actual, p_expected_versions[i]
                USING ERRCODE = 'CN001',
                      DETAIL = json_build_object('stream', p_expected_streams[i],
                                                 'expected', p_expected_versions[i],
                                                 'actual', v_actual)::text;
        END IF;
        IF v_at IS NULL THEN
            v_seen := v_seen || p_expected_streams[i];
            v_versions := v_versions || v_actual;
        END IF;
    END LOOP;

    -- 5. The rows.
    v_meta := (coalesce(p_metadata, '{}') - 'actor' - 'recorded_at' - 'occurred_at' - 'command_id')
              || jsonb_build_object('actor', session_user::text, 'recorded_at', v_now, 'command_id', p_command_id);
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
        v_at := array_position(v_seen, p_streams[i]);
        IF v_at IS NULL THEN
            v_version := coalesce((SELECT e.stream_version FROM consult.events e
                                    WHERE e.tenant_id = v_tenant AND e.stream = p_streams[i]
                                    ORDER BY e.stream_version DESC LIMIT 1), 0) + 1;
            v_seen := v_seen || p_streams[i];
            v_versions := v_versions || v_version;
        ELSE
            v_version := v_versions[v_at] + 1;
            v_versions[v_at] := v_version;
        END IF;
        v_position := v_position + 1;
        INSERT INTO consult.events AS e
            (tenant_id, position, stream, stream_version, event_id, type, schema_version, data,
             metadata, command_id, occurred_at, recorded_at)
        VALUES
            (v_tenant, v_position, p_streams[i], v_version, p_event_ids[i], p_types[i], p_schema_versions[i], v_body,
             v_meta || jsonb_build_object('occurred_at', p_occurred_at[i]),
             p_command_id, p_occurred_at[i], v_now);
        event_position := v_position;
        event_stream := p_streams[i];
        event_stream_version := v_version;
        replayed := false;
        RETURN NEXT;
    END LOOP;

    -- Wake followers, only when some are listening (0004 says why).
    IF v_notify THEN
        PERFORM pg_notify(consult.events_channel(v_tenant), v_position::text);
    END IF;
END
$$;

ALTER FUNCTION consult.append(bigint, uuid, text[], text[], integer[], text[], uuid[], timestamptz[], text[], bigint[], jsonb)
    RESET plan_cache_mode;

-- Every function of the schema exists on every node (the append and the policies call them there).
DO $$
DECLARE
    v_function regprocedure;
BEGIN
    FOR v_function IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'consult'::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_dist_object d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid)
    LOOP
        PERFORM create_distributed_function(v_function::text);
    END LOOP;
END
$$;

SELECT create_distributed_function(
    'consult.append(bigint, uuid, text[], text[], integer[], text[], uuid[], timestamptz[], text[], bigint[], jsonb)',
    distribution_arg_name := 'p_tenant', colocate_with := 'consult.events');
