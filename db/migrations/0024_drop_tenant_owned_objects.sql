-- consult.drop_tenant removes what its members' roles own before dropping them (issue 18, item 10).
--
-- Measured before: a member who ran `SELECT lo_create(0)` (a large object, which any role may
-- create) or `ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC` made `consult tenant
-- drop` fail with "role … cannot be dropped because some objects depend on it", so a departing
-- consultancy could not be removed. Now each member role's objects in this database are dropped
-- (DROP OWNED BY: its large objects, default privileges and the privileges granted to it), then
-- the role. DROP OWNED rather than REASSIGN OWNED: what a member owns is its tenant's data, and
-- the tenant is being removed. What a member owns in another database of the same cluster is
-- out of reach of this function (DROP OWNED works in the current database only): the role then
-- still cannot be dropped, and the whole removal is rolled back with the server's message
-- naming that database.
--
-- Otherwise as in 0012 (the DELETE exception of the log is checked by the trigger of 0021).

CREATE OR REPLACE FUNCTION consult.drop_tenant(p_name text)
    RETURNS TABLE (tenant_id bigint, events bigint, other_rows bigint, roles text[])
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint;
    v_table  regclass;
    v_count  bigint;
    v_role   text;
BEGIN
    SELECT t.tenant_id INTO v_tenant FROM consult.tenants t WHERE lower(t.name) = lower(p_name) FOR UPDATE;
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION 'there is no tenant named %', p_name USING ERRCODE = 'CN002';
    END IF;
    tenant_id := v_tenant;
    other_rows := 0;
    PERFORM set_config('consult.dropping_tenant', v_tenant::text, true);
    DELETE FROM consult.events e WHERE e.tenant_id = v_tenant;
    GET DIAGNOSTICS events = ROW_COUNT;
    PERFORM set_config('consult.dropping_tenant', '', true);
    -- Every other table with a tenant column: read models, checkpoints, personal details,
    -- followers, and whatever is added later.
    FOR v_table IN
        SELECT t FROM consult.tenant_tables() t
         WHERE t NOT IN ('consult.events'::regclass, 'consult.tenants'::regclass, 'consult.members'::regclass)
    LOOP
        EXECUTE format('DELETE FROM %s WHERE tenant_id = $1', v_table) USING v_tenant;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        other_rows := other_rows + v_count;
    END LOOP;
    SELECT coalesce(array_agg(m.role_name::text ORDER BY m.role_name), '{}') INTO roles
      FROM consult.members m WHERE m.tenant_id = v_tenant;
    DELETE FROM consult.members m WHERE m.tenant_id = v_tenant;
    FOREACH v_role IN ARRAY roles LOOP
        IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_role) THEN
            -- DROP OWNED needs the privileges of the role: a superuser has them, a CREATEROLE
            -- owner grants itself the role first (the grant goes with the role).
            IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
               AND NOT pg_has_role(current_user, v_role, 'USAGE') THEN
                EXECUTE format('GRANT %I TO %I', v_role, current_user);
            END IF;
            EXECUTE format('DROP OWNED BY %I', v_role);
            EXECUTE format('DROP ROLE %I', v_role);
        END IF;
    END LOOP;
    DELETE FROM consult.tenants t WHERE t.tenant_id = v_tenant;
    RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION consult.drop_tenant(text) FROM PUBLIC;
