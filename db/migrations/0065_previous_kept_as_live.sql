-- A rebuild whose fresh rows equal the live ones writes no row (issue 19, target 4).
--
-- Measured before (pg_stat_statements, 100,000 events in 100 tenants, every tenant caught up,
-- so every rebuild found what it would write already live): consult.projection_keep_previous
-- turned every live row into jsonb and copied it into consult.projection_previous_rows, then
-- consult.projection_clear deleted the live rows and consult.projection_write wrote the same
-- rows again: about two thirds of the server's time of a rebuild, for nothing changed.
--
-- Now keeping the previous version copies nothing: consult.projection_keep_previous records the
-- checkpoint and marks the previous version as `rows_live`, "the tenant's live rows as they
-- stand". The first call that changes the live rows afterwards (consult.projection_write,
-- projection_clear or projection_rollback) first copies them into projection_previous_rows, as
-- keep_previous did, and clears the mark; so a rollback puts back exactly the rows the rebuild
-- found, whatever was written since. A rebuild that replaces the rows (keep_previous, then
-- clear, then write) copies them at the clear: the same work as before. A rebuild whose rows
-- equal the live ones (Sources/Projections/Rebuild.swift compares them, read in the snapshot it
-- folds in) calls keep_previous alone: nothing is copied, deleted or written, and the copy is
-- made, if ever, by the next catch-up that changes a row of the tenant.
--
-- Members call the same functions with the same arguments as before; the copy is made by an
-- internal function (not executable by members or admins) for the acting tenant only. A row
-- changed by hand by the owner, outside these functions, after such a rebuild is what a
-- rollback puts back (before, the rows as the rebuild found them): the owner's hand edits were
-- never part of the previous version's guarantee, and no member can write a row but through them.

ALTER TABLE consult.projection_previous ADD COLUMN rows_live boolean NOT NULL DEFAULT false;

-- Copies the tenant's live rows into the previous version if it is marked as them, and clears
-- the mark. Called by the SECURITY DEFINER functions below as the owner, with the acting tenant.
CREATE FUNCTION consult.projection_copy_kept(p_tenant bigint) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_table text;
BEGIN
    UPDATE consult.projection_previous p SET rows_live = false WHERE p.tenant_id = p_tenant AND p.rows_live;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    FOREACH v_table IN ARRAY consult.projection_tables() LOOP
        EXECUTE format('INSERT INTO consult.projection_previous_rows (tenant_id, table_name, row)
                        SELECT t.tenant_id, %L, to_jsonb(t) FROM consult.%I t WHERE t.tenant_id = $1', v_table, v_table)
            USING p_tenant;
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION consult.projection_copy_kept(bigint) FROM PUBLIC;

-- Saves the live rows, and the checkpoint they stand at, as the previous version (for
-- rollback): by marking them, not copying them (above).
CREATE OR REPLACE FUNCTION consult.projection_keep_previous(p_tenant bigint, p_projection text, p_position bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    PERFORM consult.check_projection_name(p_projection);
    DELETE FROM consult.projection_previous_rows r WHERE r.tenant_id = v_tenant;
    INSERT INTO consult.projection_previous (tenant_id, projection, position, kept_at, rows_live)
    VALUES (v_tenant, p_projection, p_position, now(), true)
        ON CONFLICT (tenant_id, projection)
        DO UPDATE SET position = EXCLUDED.position, kept_at = EXCLUDED.kept_at, rows_live = EXCLUDED.rows_live;
END
$$;

-- As in 0027, after copying the live rows if the previous version is marked as them.
CREATE OR REPLACE FUNCTION consult.projection_clear(p_tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
    v_table  text;
BEGIN
    PERFORM consult.projection_copy_kept(v_tenant);
    FOREACH v_table IN ARRAY consult.projection_tables() LOOP
        EXECUTE format('DELETE FROM consult.%I WHERE tenant_id = $1', v_table) USING v_tenant;
    END LOOP;
END
$$;

-- As in 0027, after copying the live rows if the previous version is marked as them (once the
-- arguments are known good, so a refused call copies nothing).
CREATE OR REPLACE FUNCTION consult.projection_write(p_tenant bigint, p_table text, p_columns text[], p_rows text[]) RETURNS bigint
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
    PERFORM consult.projection_copy_kept(v_tenant);
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

-- As in 0027, after copying the live rows if the previous version is marked as them: the
-- rollback then swaps them with the saved rows exactly as before.
CREATE OR REPLACE FUNCTION consult.projection_rollback(p_tenant bigint, p_projection text) RETURNS bigint
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
    PERFORM consult.projection_copy_kept(v_tenant);
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
