-- Tenants on Citus (issue 20, items 3, 4 and 9): each tenant's group role, its head row
-- (the append's lock) from the start, and its removal.
--
-- * consult.create_tenant also creates the tenant's group role consult_tenant_<id> (0001 says
--   why members' tenants are read from the role catalog) and its row of consult.tenant_heads;
--   consult.add_member grants the group role to the new member. Citus propagates both
--   statements to every node.
-- * consult.tenant_heads (db/migrations/0045), distributed by tenant_id and co-located with the
--   log by 0001, is the row consult.append locks: not the tenant's row of consult.tenants, a
--   reference table, where a row lock is taken on every node and two tenants' appends waited
--   for each other (3.66 s while the other held an append open). A single PostgreSQL creates a
--   head on a tenant's first append; on Citus the append may run on a worker, where reading
--   consult.tenants (a reference table) to check the tenant is refused, so the head is made
--   with the tenant.
-- * consult.drop_tenant: the log's append-only trigger lets the DELETE of the tenant being
--   dropped through when the transaction-local setting consult.dropping_tenant names it. Citus
--   runs that DELETE on the worker holding the tenant's shard, where a set_config of the
--   coordinator is unknown: the setting is given with SET LOCAL, which Citus passes on to the
--   workers the transaction uses (citus.propagate_set_commands = local), and on a worker the
--   trigger accepts it from the coordinator's connection (application_name citus_internal…),
--   where the stack of consult.drop_tenant is not there to check. Only the owner holds DELETE on
--   the log, as on a single PostgreSQL.

-- Commands on distributed functions need one connection a node for the whole transaction.
SET LOCAL citus.multi_shard_modify_mode = 'sequential';

CREATE OR REPLACE FUNCTION consult.create_tenant(p_name text, p_display_name text DEFAULT NULL, p_currency text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO consult.tenants (name, display_name, currency) VALUES (p_name, p_display_name, p_currency)
        RETURNING tenant_id INTO v_id;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'consult_tenant_' || v_id) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', 'consult_tenant_' || v_id);
    END IF;
    INSERT INTO consult.tenant_heads (tenant_id, last_position) VALUES (v_id, 0);
    RETURN v_id;
END
$$;

CREATE OR REPLACE FUNCTION consult.add_member(p_tenant bigint, p_role text, p_password_verifier text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_role !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'role name % is not 1-63 lowercase letters, digits or _, starting with a letter or _', quote_literal(p_role)
            USING ERRCODE = 'CN006';
    END IF;
    IF p_password_verifier IS NULL OR p_password_verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION 'the password must arrive hashed (SCRAM-SHA-256)' USING ERRCODE = 'CN006';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
        RAISE EXCEPTION 'role % already exists', p_role USING ERRCODE = '42710';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'consult_tenant_' || p_tenant) THEN
        RAISE EXCEPTION 'tenant % does not exist', p_tenant USING ERRCODE = 'CN002';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L IN ROLE consult_member, %I',
                   p_role, p_password_verifier, 'consult_tenant_' || p_tenant);
    PERFORM consult.apply_member_limits(p_role);
    INSERT INTO consult.members (tenant_id, role_name) VALUES (p_tenant, p_role);
END
$$;

CREATE OR REPLACE FUNCTION consult.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    v_stack text;
BEGIN
    IF TG_OP = 'DELETE' AND OLD.tenant_id::text = current_setting('consult.dropping_tenant', true) THEN
        -- On a worker: the coordinator's connection, running consult.drop_tenant's DELETE.
        IF current_setting('application_name') LIKE 'citus_internal%' THEN
            RETURN OLD;
        END IF;
        GET DIAGNOSTICS v_stack = PG_CONTEXT;
        -- The frame that issued the DELETE, one line below this trigger's own frame.
        IF split_part(v_stack, E'\n', 3) ~ '^PL/pgSQL function consult\.drop_tenant\(text\) line [0-9]+ at SQL statement$' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'consult.events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'CN009',
              HINT = 'Record a correcting event instead; a whole tenant is removed with consult tenant drop.';
END
$$;

-- After the DELETE: the tenant's log must be gone entirely. On Citus the trigger runs on the
-- shard (TG_RELID), which holds all of the tenant's log; the distributed table cannot be queried
-- from a shard.
CREATE OR REPLACE FUNCTION consult.check_tenant_removed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    v_tenant text := nullif(current_setting('consult.dropping_tenant', true), '');
    v_left   boolean;
BEGIN
    IF v_tenant IS NOT NULL THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s e WHERE e.tenant_id = $1)', TG_RELID::regclass)
            INTO v_left USING v_tenant::bigint;
        IF v_left THEN
            RAISE EXCEPTION 'only the whole log of tenant % can be removed, by consult.drop_tenant', v_tenant
                USING ERRCODE = 'CN009';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

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
    SET LOCAL citus.propagate_set_commands = 'local';
    EXECUTE format('SET LOCAL consult.dropping_tenant = %L', v_tenant::text);
    DELETE FROM consult.events e WHERE e.tenant_id = v_tenant;
    GET DIAGNOSTICS events = ROW_COUNT;
    SET LOCAL consult.dropping_tenant = '';
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
            IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
               AND NOT pg_has_role(current_user, v_role, 'USAGE') THEN
                EXECUTE format('GRANT %I TO %I', v_role, current_user);
            END IF;
            EXECUTE format('DROP OWNED BY %I', v_role);
            EXECUTE format('DROP ROLE %I', v_role);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'consult_tenant_' || v_tenant) THEN
        EXECUTE format('DROP ROLE %I', 'consult_tenant_' || v_tenant);
    END IF;
    DELETE FROM consult.tenants t WHERE t.tenant_id = v_tenant;
    RETURN NEXT;
END
$$;
