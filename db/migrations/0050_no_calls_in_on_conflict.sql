-- No function call in an ON CONFLICT … DO UPDATE SET clause (issue 20, item 7): the follower's
-- heartbeat and the keeping of a projection's previous version set `heartbeat_at = now()` and
-- `kept_at = now()` there, which Citus refuses on a distributed table ("functions used in the DO
-- UPDATE SET clause of INSERTs on distributed tables must be marked IMMUTABLE"). The values are
-- now given in the inserted row and taken from EXCLUDED: the same values on a single
-- PostgreSQL (now() is the transaction's time wherever it is read).

CREATE OR REPLACE FUNCTION consult.follower_heartbeat(p_tenant bigint, p_name text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := coalesce(p_tenant, consult.current_tenant_id());
BEGIN
    IF v_tenant IS NULL
       OR NOT (v_tenant IS NOT DISTINCT FROM consult.current_tenant_id() OR consult.is_admin())
       OR NOT EXISTS (SELECT 1 FROM consult.tenants WHERE tenant_id = v_tenant) THEN
        RAISE EXCEPTION 'unknown tenant for role %', session_user USING ERRCODE = 'CN002';
    END IF;
    INSERT INTO consult.followers AS f (tenant_id, name, heartbeat_at, backend_pid) VALUES (v_tenant, p_name, now(), pg_backend_pid())
    ON CONFLICT (tenant_id, name)
        DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, backend_pid = EXCLUDED.backend_pid;
    RETURN consult.events_channel(v_tenant);
END
$$;

-- Saves the live rows, and the checkpoint they stand at, as the previous version (for rollback).
CREATE OR REPLACE FUNCTION consult.projection_keep_previous(p_tenant bigint, p_projection text, p_position bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
    v_table  text;
BEGIN
    PERFORM consult.check_projection_name(p_projection);
    DELETE FROM consult.projection_previous_rows r WHERE r.tenant_id = v_tenant;
    FOREACH v_table IN ARRAY consult.projection_tables() LOOP
        EXECUTE format('INSERT INTO consult.projection_previous_rows (tenant_id, table_name, row)
                        SELECT t.tenant_id, %L, to_jsonb(t) FROM consult.%I t WHERE t.tenant_id = $1', v_table, v_table)
            USING v_tenant;
    END LOOP;
    INSERT INTO consult.projection_previous (tenant_id, projection, position, kept_at) VALUES (v_tenant, p_projection, p_position, now())
        ON CONFLICT (tenant_id, projection) DO UPDATE SET position = EXCLUDED.position, kept_at = EXCLUDED.kept_at;
END
$$;
