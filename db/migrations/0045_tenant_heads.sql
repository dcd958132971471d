-- The append's serialisation point moves out of consult.tenants into consult.tenant_heads, a
-- row per tenant holding its last log position (issue 19).
--
-- * A tenant's appends are serialised by its row here: consult.append draws its positions with
--   one UPDATE … RETURNING (the row lock and the counter in one statement), where it took a
--   tuple lock on consult.tenants and then read max(position) from the log. The row is locked
--   until commit, so positions stay gapless and commit in order; an append refused after the
--   UPDATE (a version conflict, a bad body) raises, and the rollback gives the positions back;
--   a replayed command gives them back before it returns. No position is ever consumed by an
--   append that wrote nothing.
-- * On Citus consult.tenants is a reference table (a row lock on it is cluster-wide); this table
--   has a tenant column, so consult.tenant_tables() lists it and db/citus distributes it by
--   tenant, co-located with the log: the lock and the counter live on the tenant's node.
-- * Row-level security like every tenant table; members may read their own tenant's row and
--   write nothing (the append is SECURITY DEFINER). Admins may lock and move it (an import
--   inserts events itself and keeps the head in step, Sources/EventStore/Transfer.swift).
-- * A tenant without a row (created after this migration) gets one on its first append or
--   import, from its log's last position.

-- fillfactor 10: every append makes a new (HOT) version of its tenant's row, and a page is
-- pruned of the dead ones only once its free space falls below the fillfactor's reserve; the
-- larger the reserve, the sooner the pruning and the shorter the chain of versions each
-- append's lookup walks.
CREATE TABLE consult.tenant_heads (
    tenant_id     bigint PRIMARY KEY REFERENCES consult.tenants,
    last_position bigint NOT NULL CHECK (last_position >= 0)
) WITH (fillfactor = 10);

INSERT INTO consult.tenant_heads (tenant_id, last_position)
SELECT t.tenant_id, coalesce((SELECT max(e.position) FROM consult.events e WHERE e.tenant_id = t.tenant_id), 0)
  FROM consult.tenants t;

ALTER TABLE consult.tenant_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.tenant_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON consult.tenant_heads TO consult_admin USING (true) WITH CHECK (true);
CREATE POLICY member_read ON consult.tenant_heads FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));
REVOKE ALL ON consult.tenant_heads FROM PUBLIC;
GRANT SELECT ON consult.tenant_heads TO consult_member;
GRANT SELECT, INSERT, UPDATE ON consult.tenant_heads TO consult_admin;

-- A tenant's head, created from its log when it has none; locks nothing. Returns false when the
-- tenant does not exist (or is not visible).
CREATE FUNCTION consult.ensure_tenant_head(p_tenant bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM 1 FROM consult.tenants t WHERE t.tenant_id = p_tenant;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO consult.tenant_heads (tenant_id, last_position)
    SELECT p_tenant, coalesce(max(e.position), 0) FROM consult.events e WHERE e.tenant_id = p_tenant
        ON CONFLICT (tenant_id) DO NOTHING;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION consult.ensure_tenant_head(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consult.ensure_tenant_head(bigint) TO consult_admin;

-- consult.append, the same contract as 0026's (the same checks, errors and results), faster:
-- * the lock and the positions in one UPDATE of the tenant's head (above), not a tuple lock on
--   consult.tenants plus a max(position) over the log;
-- * a single event (the common command) probes its command id and its stream's version in one
--   statement; several events keep the streams' versions in two arrays, not a jsonb object
--   rebuilt for every event;
-- * the envelope's constant keys built once a call, not once an event; whether followers
--   listen read in the probe's statement, not in one of its own;
-- * no plan_cache_mode SET clause (on Citus a forced generic plan breaks distributed planning):
--   the search_path SET stays (see BENCHMARKS.md for what it costs).
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
        IF NOT consult.ensure_tenant_head(v_tenant) THEN
            RAISE EXCEPTION 'tenant % does not exist', v_tenant USING ERRCODE = 'CN002';
        END IF;
        UPDATE consult.tenant_heads h SET last_position = h.last_position + v_count
         WHERE h.tenant_id = v_tenant
        RETURNING h.last_position - v_count INTO v_position;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'tenant % does not exist', v_tenant USING ERRCODE = 'CN002';
        END IF;
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
