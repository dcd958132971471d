-- TRUNCATE refused on every tenant table and partition, for everyone; the log's one exception
-- (a tenant's removal) usable by consult.drop_tenant alone, for a whole tenant.
--
-- Measured before this migration (issue 18, item 5): the owner's `TRUNCATE consult.events_h05`
-- erased every tenant of that partition despite the append-only trigger, which sat on the
-- parent only (a statement-level trigger is not inherited by partitions); positions restarted
-- at 1 and the projections silently stopped applying. And `SET consult.dropping_tenant = '2'`
-- let the owner DELETE a single event of tenant 2.
--
-- 1. consult.harden_tenant_tables() (0020) now also gives every table with a tenant column and
--    every partition under it a BEFORE TRUNCATE trigger that refuses (CN009), so a partition or
--    table added later gets one the next time the migrator runs.
-- 2. The DELETE exception of the log's trigger holds only when the DELETE runs inside
--    consult.drop_tenant (the trigger reads PL/pgSQL's call stack) and only when the statement
--    leaves no event of that tenant (a statement-level AFTER DELETE check on the log and on each
--    partition). The owner can still drop the triggers: this prevents mistakes and one-event
--    edits, not an owner determined to rewrite history, who owns the tables anyway.

CREATE FUNCTION consult.refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE of %.% is not allowed: tenant data is removed with consult tenant drop', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'CN009';
END
$$;

CREATE OR REPLACE FUNCTION consult.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    v_stack text;
BEGIN
    IF TG_OP = 'DELETE' AND OLD.tenant_id::text = current_setting('consult.dropping_tenant', true) THEN
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

-- After a DELETE under consult.dropping_tenant: the tenant's log must be gone entirely.
CREATE FUNCTION consult.check_tenant_removed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    v_tenant text := nullif(current_setting('consult.dropping_tenant', true), '');
BEGIN
    IF v_tenant IS NOT NULL AND EXISTS (SELECT 1 FROM consult.events e WHERE e.tenant_id = v_tenant::bigint) THEN
        RAISE EXCEPTION 'only the whole log of tenant % can be removed, by consult.drop_tenant', v_tenant
            USING ERRCODE = 'CN009';
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION consult.harden_truncate(p_table regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name name := (SELECT c.relname FROM pg_class c WHERE c.oid = p_table);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t
                    WHERE t.tgrelid = p_table AND t.tgfoid = 'consult.refuse_truncate()'::regprocedure) THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION consult.refuse_truncate()',
                       left(v_name, 50) || '_no_truncate', p_table);
    END IF;
    IF p_table IN (SELECT p.relid FROM pg_partition_tree('consult.events') p)
       AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                        WHERE t.tgrelid = p_table AND t.tgfoid = 'consult.check_tenant_removed()'::regprocedure) THEN
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s FOR EACH STATEMENT EXECUTE FUNCTION consult.check_tenant_removed()',
                       left(v_name, 50) || '_whole_tenant', p_table);
    END IF;
END
$$;

-- The log's own TRUNCATE trigger of 0012 (refuse_change) becomes redundant with the new one.
DROP TRIGGER events_no_truncate ON consult.events;

CREATE OR REPLACE FUNCTION consult.harden_tenant_tables() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_table regclass;
BEGIN
    FOR v_table IN
        -- pg_partition_tree lists a partitioned table and its partitions, and nothing for a
        -- plain table: hence the union.
        SELECT t FROM consult.tenant_tables() t
        UNION
        SELECT p.relid FROM consult.tenant_tables() t CROSS JOIN LATERAL pg_partition_tree(t) p
    LOOP
        PERFORM consult.harden_statistics(v_table);
        PERFORM consult.harden_truncate(v_table);
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION consult.refuse_truncate(), consult.check_tenant_removed(), consult.harden_truncate(regclass),
    consult.harden_tenant_tables() FROM PUBLIC;

SELECT consult.harden_tenant_tables();
