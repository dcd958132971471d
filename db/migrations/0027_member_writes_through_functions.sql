-- Members hold no table-level write privilege: every write a command makes to the read models,
-- the projection's checkpoints, runs and previous rows, and people's details goes through the
-- SECURITY DEFINER functions below, which act for the caller's own tenant (issue 18, item 2).
--
-- Measured before: a member with psql ran `BEGIN; LOCK TABLE consult.organisations IN ACCESS
-- EXCLUSIVE MODE;` and every other tenant's commands waited until the statement timeout. 0009
-- and 0008 granted members INSERT, UPDATE and DELETE on those tables, and PostgreSQL lets a role
-- LOCK a table in ACCESS EXCLUSIVE (or any mode above ROW EXCLUSIVE) with a table-level UPDATE,
-- DELETE or TRUNCATE privilege, and in ROW EXCLUSIVE with INSERT too. Row-level security does
-- not help: a lock is taken on the table, not on rows. With SELECT alone a role may take ACCESS
-- SHARE only, which conflicts with ACCESS EXCLUSIVE alone (the owner's ALTER TABLE, which waits
-- for at most a member's idle-transaction limit of 0022).
--
-- Now:
-- * members and admins keep SELECT on these tables and lose INSERT, UPDATE, DELETE and TRUNCATE;
--   the owner (who migrated, and owns every table and these functions) still holds everything;
-- * the column privilege UPDATE (lock_marker) on consult.tenants goes too: consult.append is
--   SECURITY DEFINER and takes the tenant's row lock as the owner, so nothing used it; a column
--   privilege never allowed LOCK TABLE (PostgreSQL checks table-level privileges for it), but it
--   allowed SELECT … FOR UPDATE of the member's own tenant row;
-- * each function finds the tenant with consult.acting_tenant: the login role's own, or, for an
--   admin, the one named (as consult.append does). A member naming another tenant is refused
--   (42501), and every row written carries the acting tenant's id whatever the arguments say, so
--   no crafted call writes or deletes another tenant's rows.
--
-- The functions are owned by the migrating role (the schema's owner), run with search_path
-- pg_catalog, pg_temp, name every table with its schema, and are executable by consult_member
-- and consult_admin only. The rows of a batch travel in one call per table (consult.
-- projection_write: column names and an array of rows, each cell text cast by its column's
-- input function as COPY would), so a rebuild costs a statement per table, not one per row.

-- The tenant a write acts for. Not executable by members: the functions below call it as the owner.
CREATE FUNCTION consult.acting_tenant(p_tenant bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint;
BEGIN
    SELECT m.tenant_id INTO v_tenant FROM consult.members m WHERE m.role_name = session_user;
    IF p_tenant IS NOT NULL AND p_tenant IS DISTINCT FROM v_tenant THEN
        v_tenant := CASE WHEN (SELECT r.rolsuper OR pg_has_role(session_user, 'consult_admin', 'MEMBER')
                                 FROM pg_roles r WHERE r.rolname = session_user)
                         THEN p_tenant END;
    END IF;
    IF v_tenant IS NULL OR NOT EXISTS (SELECT 1 FROM consult.tenants t WHERE t.tenant_id = v_tenant) THEN
        RAISE EXCEPTION 'role % may not write the rows of tenant %', session_user, coalesce(p_tenant::text, '(none named)')
            USING ERRCODE = '42501';
    END IF;
    RETURN v_tenant;
END
$$;

-- The read-model tables, in the order they are written: Sources/Projections/Tables.swift,
-- ReadModelTable.all (ProjectionTests checks that the two lists agree).
CREATE FUNCTION consult.projection_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['pipeline', 'stage_history', 'engagement_status', 'objective_progress', 'referrals', 'handovers', 'people',
                 'organisations']
$$;

CREATE FUNCTION consult.check_projection_name(p_projection text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_projection IS NULL OR p_projection !~ '^[a-z][a-z0-9_-]*$' OR length(p_projection) > 63 THEN
        RAISE EXCEPTION 'projection name % is not 1-63 lowercase letters, digits, _ or -', quote_nullable(p_projection)
            USING ERRCODE = '22023';
    END IF;
END
$$;

-- The checkpoint, created at 0 when missing, locked (FOR UPDATE) until the caller's transaction ends.
CREATE FUNCTION consult.projection_lock(p_tenant bigint, p_projection text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant   bigint := consult.acting_tenant(p_tenant);
    v_position bigint;
BEGIN
    PERFORM consult.check_projection_name(p_projection);
    INSERT INTO consult.projection_checkpoints (tenant_id, projection) VALUES (v_tenant, p_projection)
        ON CONFLICT (tenant_id, projection) DO NOTHING;
    SELECT c.position INTO v_position FROM consult.projection_checkpoints c
     WHERE c.tenant_id = v_tenant AND c.projection = p_projection FOR UPDATE;
    RETURN v_position;
END
$$;

-- Compare-and-set: moves the checkpoint only from where the caller found it. False otherwise.
CREATE FUNCTION consult.projection_move(p_tenant bigint, p_projection text, p_from bigint, p_to bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    UPDATE consult.projection_checkpoints c SET position = p_to, updated_at = now()
     WHERE c.tenant_id = v_tenant AND c.projection = p_projection AND c.position = p_from;
    RETURN FOUND;
END
$$;

-- Inserts or updates rows of one read-model table: `p_columns` names the columns after tenant_id
-- (the primary key's among them), each element of `p_rows` is one row, a text array literal of
-- its cells in that order (NULL for NULL), and each cell is cast by its column's input function
-- (as COPY would). One row an element, not one flat array of cells: reaching the n-th element
-- of a text array walks the elements before it, which made a flat array's writes quadratic.
-- tenant_id is the acting tenant's, whatever the rows say. Returns the rows written.
CREATE FUNCTION consult.projection_write(p_tenant bigint, p_table text, p_columns text[], p_rows text[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := consult.acting_tenant(p_tenant);
    v_width   integer := coalesce(array_length(p_columns, 1), 0);
    v_table   regclass;
    v_found   integer;
    v_select  text;
    v_keys    text[];
    v_updates text;
    v_count   bigint;
BEGIN
    IF p_table IS NULL OR NOT p_table = ANY (consult.projection_tables()) THEN
        RAISE EXCEPTION 'consult.% is not a read-model table', p_table USING ERRCODE = '42501';
    END IF;
    IF coalesce(array_length(p_rows, 1), 0) = 0 THEN
        RETURN 0;
    END IF;
    v_table := format('consult.%I', p_table)::regclass;
    SELECT count(a.attnum), string_agg(format('l.x[%s]::%s', c.ord, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY c.ord)
      INTO v_found, v_select
      FROM unnest(p_columns) WITH ORDINALITY c(name, ord)
      JOIN pg_attribute a ON a.attrelid = v_table AND a.attname = c.name AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.name <> 'tenant_id';
    IF v_width = 0 OR v_found <> v_width OR (SELECT count(DISTINCT c) FROM unnest(p_columns) c) <> v_width THEN
        RAISE EXCEPTION 'the columns % are not distinct columns of consult.% after tenant_id', p_columns, p_table
            USING ERRCODE = '22023';
    END IF;
    SELECT array_agg(a.attname::text) INTO v_keys
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = v_table AND i.indisprimary AND a.attname <> 'tenant_id';
    IF NOT v_keys <@ p_columns THEN
        RAISE EXCEPTION 'the columns of consult.% must include its key %', p_table, v_keys USING ERRCODE = '22023';
    END IF;
    SELECT string_agg(format('%1$I = EXCLUDED.%1$I', c), ', ') INTO v_updates FROM unnest(p_columns) c WHERE NOT c = ANY (v_keys);
    -- MATERIALIZED: each row's literal parsed once, not once for every column that reads it.
    EXECUTE format('WITH l AS MATERIALIZED (SELECT r::text[] AS x FROM unnest($2) r)
                    INSERT INTO %s (tenant_id, %s) SELECT $1, %s FROM l
                    ON CONFLICT (tenant_id, %s) DO %s',
                   v_table, (SELECT string_agg(quote_ident(c), ', ' ORDER BY o) FROM unnest(p_columns) WITH ORDINALITY x(c, o)),
                   v_select, (SELECT string_agg(quote_ident(k), ', ') FROM unnest(v_keys) k),
                   coalesce('UPDATE SET ' || v_updates, 'NOTHING'))
        USING v_tenant, p_rows;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- Deletes the acting tenant's rows of every read-model table (a rebuild, before writing afresh).
CREATE FUNCTION consult.projection_clear(p_tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
    v_table  text;
BEGIN
    FOREACH v_table IN ARRAY consult.projection_tables() LOOP
        EXECUTE format('DELETE FROM consult.%I WHERE tenant_id = $1', v_table) USING v_tenant;
    END LOOP;
END
$$;

-- Saves the live rows, and the checkpoint they stand at, as the previous version (for rollback).
CREATE FUNCTION consult.projection_keep_previous(p_tenant bigint, p_projection text, p_position bigint) RETURNS void
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
    INSERT INTO consult.projection_previous (tenant_id, projection, position) VALUES (v_tenant, p_projection, p_position)
        ON CONFLICT (tenant_id, projection) DO UPDATE SET position = EXCLUDED.position, kept_at = now();
END
$$;

-- Puts back the rows the last rebuild replaced and their checkpoint, keeping the live ones as
-- the previous version in their turn. Returns the position put back; NULL when there is no
-- previous version. Every row restored carries the acting tenant's id (rows saved before 0027,
-- when members could write this table, might say otherwise).
CREATE FUNCTION consult.projection_rollback(p_tenant bigint, p_projection text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant     bigint := consult.acting_tenant(p_tenant);
    v_checkpoint bigint := consult.projection_lock(p_tenant, p_projection);
    v_position   bigint;
    v_last       bigint;
    v_table      text;
BEGIN
    SELECT p.position INTO v_position FROM consult.projection_previous p WHERE p.tenant_id = v_tenant AND p.projection = p_projection;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(max(r.row_id), 0) INTO v_last FROM consult.projection_previous_rows r WHERE r.tenant_id = v_tenant;
    FOREACH v_table IN ARRAY consult.projection_tables() LOOP
        EXECUTE format('INSERT INTO consult.projection_previous_rows (tenant_id, table_name, row)
                        SELECT t.tenant_id, %L, to_jsonb(t) FROM consult.%I t WHERE t.tenant_id = $1', v_table, v_table)
            USING v_tenant;
        EXECUTE format('DELETE FROM consult.%I WHERE tenant_id = $1', v_table) USING v_tenant;
        EXECUTE format('INSERT INTO consult.%1$I
                        SELECT p.* FROM consult.projection_previous_rows r
                         CROSS JOIN LATERAL jsonb_populate_record(NULL::consult.%1$I, r.row || jsonb_build_object(''tenant_id'', $1)) p
                         WHERE r.tenant_id = $1 AND r.table_name = %2$L AND r.row_id <= $2', v_table, v_table)
            USING v_tenant, v_last;
    END LOOP;
    DELETE FROM consult.projection_previous_rows r WHERE r.tenant_id = v_tenant AND r.row_id <= v_last;
    UPDATE consult.projection_previous p SET position = v_checkpoint, kept_at = now()
     WHERE p.tenant_id = v_tenant AND p.projection = p_projection;
    UPDATE consult.projection_checkpoints c SET position = v_position, updated_at = now()
     WHERE c.tenant_id = v_tenant AND c.projection = p_projection;
    RETURN v_position;
END
$$;

-- What a rebuild, verification or rollback did, for `consult projections status`.
CREATE FUNCTION consult.projection_record_run(
    p_tenant bigint, p_projection text, p_kind text, p_started_at timestamptz, p_events bigint, p_position bigint, p_drift boolean,
    p_report jsonb
) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    PERFORM consult.check_projection_name(p_projection);
    INSERT INTO consult.projection_runs (tenant_id, projection, kind, started_at, events, position, drift, report)
    VALUES (v_tenant, p_projection, p_kind, p_started_at, p_events, p_position, p_drift, coalesce(p_report, '{}'));
END
$$;

-- People's details (Sources/Recording/PersonDirectory.swift): a new person's, and forgetting one.
CREATE FUNCTION consult.add_person_details(p_tenant bigint, p_person uuid, p_handle text, p_name text, p_email text, p_phone text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    INSERT INTO consult.person_details (tenant_id, person_id, handle, name, email, phone)
    VALUES (v_tenant, p_person, p_handle, p_name, p_email, p_phone);
END
$$;

CREATE FUNCTION consult.erase_person_details(p_tenant bigint, p_person uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    DELETE FROM consult.person_details d WHERE d.tenant_id = v_tenant AND d.person_id = p_person;
    RETURN FOUND;
END
$$;

-- An import's attachment line (admins only): nothing for a person the log says was forgotten,
-- nothing over details already here. Returns whether a row was written.
CREATE FUNCTION consult.import_person_details(p_tenant bigint, p_person uuid, p_handle text, p_name text, p_email text, p_phone text)
    RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    INSERT INTO consult.person_details (tenant_id, person_id, handle, name, email, phone)
    SELECT v_tenant, p_person, p_handle, p_name, p_email, p_phone
     WHERE NOT EXISTS (SELECT 1 FROM consult.events e
                        WHERE e.tenant_id = v_tenant AND e.stream = 'person-' || p_person::text AND e.type = 'PersonForgotten')
    ON CONFLICT DO NOTHING;
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION consult.acting_tenant(bigint), consult.projection_tables(), consult.check_projection_name(text),
    consult.projection_lock(bigint, text), consult.projection_move(bigint, text, bigint, bigint),
    consult.projection_write(bigint, text, text[], text[]), consult.projection_clear(bigint),
    consult.projection_keep_previous(bigint, text, bigint), consult.projection_rollback(bigint, text),
    consult.projection_record_run(bigint, text, text, timestamptz, bigint, bigint, boolean, jsonb),
    consult.add_person_details(bigint, uuid, text, text, text, text), consult.erase_person_details(bigint, uuid),
    consult.import_person_details(bigint, uuid, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consult.projection_lock(bigint, text), consult.projection_move(bigint, text, bigint, bigint),
    consult.projection_write(bigint, text, text[], text[]), consult.projection_clear(bigint),
    consult.projection_keep_previous(bigint, text, bigint), consult.projection_rollback(bigint, text),
    consult.projection_record_run(bigint, text, text, timestamptz, bigint, bigint, boolean, jsonb),
    consult.add_person_details(bigint, uuid, text, text, text, text), consult.erase_person_details(bigint, uuid)
    TO consult_member, consult_admin;
GRANT EXECUTE ON FUNCTION consult.import_person_details(bigint, uuid, text, text, text, text) TO consult_admin;

REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON consult.pipeline, consult.stage_history, consult.engagement_status,
    consult.objective_progress, consult.referrals, consult.handovers, consult.people, consult.organisations,
    consult.projection_checkpoints, consult.projection_runs, consult.projection_previous, consult.projection_previous_rows,
    consult.person_details FROM consult_member, consult_admin;
REVOKE UPDATE (lock_marker) ON consult.tenants FROM consult_member;
