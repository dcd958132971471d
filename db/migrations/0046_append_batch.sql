-- consult.append_batch: several commands in one call and one transaction (issue 19, for
-- importers and bulk writers). Each command is appended as consult.append appends it, with the
-- same checks, in order (a command may expect the version an earlier one of the batch left);
-- a command already recorded is replayed (its first result, nothing written) while the others
-- are written; the first refusal (a version conflict, a bad body, …) refuses the whole batch
-- and nothing of it is written. What a batch saves is the round trips and the commits: one
-- of each for the batch, where N commands each paid their own.
--
-- The events of all commands come in one set of arrays, in order; p_event_counts[c] says how
-- many belong to command c, p_check_counts[c] how many of the expected (stream, version) pairs.
-- At most 1000 events and 8 MiB of bodies a call in all (CN021), as for one append.
-- SECURITY INVOKER: each command goes through consult.append as the caller, whose tenant and
-- rights it checks.
CREATE FUNCTION consult.append_batch(
    p_tenant             bigint,
    p_command_ids        uuid[],
    p_event_counts       integer[],
    p_streams            text[],
    p_types              text[],
    p_schema_versions    integer[],
    p_bodies             text[],
    p_event_ids          uuid[],
    p_occurred_at        timestamptz[],
    p_check_counts       integer[],
    p_expected_streams   text[],
    p_expected_versions  bigint[],
    p_metadata           jsonb DEFAULT '{}'
) RETURNS TABLE (command_index integer, event_position bigint, event_stream text, event_stream_version bigint, replayed boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_commands integer := coalesce(array_length(p_command_ids, 1), 0);
    v_events   integer := coalesce(array_length(p_streams, 1), 0);
    v_checks   integer := coalesce(array_length(p_expected_streams, 1), 0);
    v_bytes    bigint;
    v_first    integer := 1;
    v_last     integer;
    v_check    integer := 1;
    v_upto     integer;
    c          integer;
BEGIN
    IF v_commands = 0
       OR coalesce(array_length(p_event_counts, 1), 0) <> v_commands
       OR coalesce(array_length(p_check_counts, 1), 0) <> v_commands
       OR coalesce(array_length(p_expected_versions, 1), 0) <> v_checks
       OR (SELECT sum(n) FROM unnest(p_event_counts) n) IS DISTINCT FROM v_events::bigint
       OR (SELECT sum(n) FROM unnest(p_check_counts) n) IS DISTINCT FROM v_checks::bigint
       OR EXISTS (SELECT 1 FROM unnest(p_event_counts) n WHERE n IS NULL OR n < 1)
       OR EXISTS (SELECT 1 FROM unnest(p_check_counts) n WHERE n IS NULL OR n < 0) THEN
        RAISE EXCEPTION 'a batch needs at least one command, each with at least one event, and the counts of events and checks of each'
            USING ERRCODE = 'CN006';
    END IF;
    IF v_events > 1000 THEN
        RAISE EXCEPTION 'a batch of % events is refused: the limit is 1000 events a call', v_events
            USING ERRCODE = 'CN021', HINT = 'Split the commands into several batches.';
    END IF;
    SELECT coalesce(sum(octet_length(b)), 0) INTO v_bytes FROM unnest(p_bodies) b;
    IF v_bytes > 8388608 THEN
        RAISE EXCEPTION 'a batch of % bytes of bodies is refused: the limit is 8 MiB (8388608 bytes) a call', v_bytes
            USING ERRCODE = 'CN021', HINT = 'Split the commands into several batches.';
    END IF;
    FOR c IN 1 .. v_commands LOOP
        v_last := v_first + p_event_counts[c] - 1;
        v_upto := v_check + p_check_counts[c] - 1;
        RETURN QUERY
            SELECT c, a.event_position, a.event_stream, a.event_stream_version, a.replayed
              FROM consult.append(p_tenant, p_command_ids[c], p_streams[v_first:v_last], p_types[v_first:v_last],
                                  p_schema_versions[v_first:v_last], p_bodies[v_first:v_last], p_event_ids[v_first:v_last],
                                  p_occurred_at[v_first:v_last],
                                  coalesce(p_expected_streams[v_check:v_upto], '{}'), coalesce(p_expected_versions[v_check:v_upto], '{}'),
                                  p_metadata) a;
        v_first := v_last + 1;
        v_check := v_upto + 1;
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION consult.append_batch(bigint, uuid[], integer[], text[], text[], integer[], text[], uuid[], timestamptz[],
                                            integer[], text[], bigint[], jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consult.append_batch(bigint, uuid[], integer[], text[], text[], integer[], text[], uuid[], timestamptz[],
                                               integer[], text[], bigint[], jsonb) TO consult_member, consult_admin;
