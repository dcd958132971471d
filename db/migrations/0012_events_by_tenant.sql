-- The log partitioned by tenant, and a tenant's complete removal.
--
-- consult.events becomes a table partitioned by HASH (tenant_id) into 8 partitions
-- (consult.events_h00 … events_h07). Every statement names its tenant, so each touches one
-- partition: a tenant's reads, rebuild, vacuum and removal stay inside the partition that holds
-- it, and a partition is an eighth of the log to vacuum, index and back up. Hash rather than
-- one partition per tenant: thousands of tenants would mean thousands of tables (planning,
-- locks and catalog bloat grow with them), and a new tenant needs no DDL. Eight rather than
-- sixteen: a generic plan locks every partition when it starts (PostgreSQL 15), and past 16
-- relations a backend's locks leave the fast path for the shared lock table; with 16
-- partitions 8 writers appended 2,834/s, with 8 partitions 3,237/s (3,301/s unpartitioned;
-- one bench run each, on a machine whose runs differ by up to 15%). Under Citus the same table
-- is distributed by tenant_id as well (db/citus).
--
-- The keys are unchanged: they lead with tenant_id, the partition key, as PostgreSQL requires
-- of a partitioned table's unique keys. A unique violation names the partition's index
-- (events_h03_tenant_id_stream_stream_version_key), so code matches the end of the name.

ALTER TABLE consult.events RENAME TO events_unpartitioned;
ALTER TABLE consult.events_unpartitioned RENAME CONSTRAINT events_pkey TO events_unpartitioned_pkey;
ALTER TABLE consult.events_unpartitioned RENAME CONSTRAINT events_stream_version_key TO events_unpartitioned_stream_version_key;
ALTER TABLE consult.events_unpartitioned RENAME CONSTRAINT events_event_id_key TO events_unpartitioned_event_id_key;
ALTER INDEX consult.events_command_idx RENAME TO events_unpartitioned_command_idx;
ALTER INDEX consult.events_occurred_idx RENAME TO events_unpartitioned_occurred_idx;

CREATE TABLE consult.events (
    tenant_id      bigint NOT NULL REFERENCES consult.tenants,
    position       bigint NOT NULL,
    stream         text NOT NULL,
    stream_version bigint NOT NULL,
    event_id       uuid NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    data           jsonb NOT NULL,
    metadata       jsonb NOT NULL,
    command_id     uuid,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    xid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT events_pkey PRIMARY KEY (tenant_id, position),
    CONSTRAINT events_stream_version_key UNIQUE (tenant_id, stream, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (tenant_id, event_id),
    CONSTRAINT events_position_check CHECK (position > 0),
    CONSTRAINT events_stream_version_check CHECK (stream_version > 0),
    CONSTRAINT events_schema_version_check CHECK (schema_version > 0),
    CONSTRAINT events_data_check CHECK (jsonb_typeof(data) = 'object')
) PARTITION BY HASH (tenant_id);

CREATE INDEX events_command_idx ON consult.events (tenant_id, command_id) WHERE command_id IS NOT NULL;
CREATE INDEX events_occurred_idx ON consult.events (tenant_id, occurred_at);

DO $$
BEGIN
    FOR i IN 0..7 LOOP
        EXECUTE format('CREATE TABLE consult.%I PARTITION OF consult.events FOR VALUES WITH (MODULUS 8, REMAINDER %s)',
                       'events_h' || lpad(i::text, 2, '0'), i);
        -- Only through consult.events, whose policies apply: a partition is granted to nobody,
        -- and its own row-level security, forced and without a policy, shows nothing to
        -- anyone but a superuser who reads it directly.
        EXECUTE format('REVOKE ALL ON consult.%I FROM PUBLIC', 'events_h' || lpad(i::text, 2, '0'));
        EXECUTE format('ALTER TABLE consult.%I ENABLE ROW LEVEL SECURITY', 'events_h' || lpad(i::text, 2, '0'));
        EXECUTE format('ALTER TABLE consult.%I FORCE ROW LEVEL SECURITY', 'events_h' || lpad(i::text, 2, '0'));
    END LOOP;
END
$$;

INSERT INTO consult.events SELECT * FROM consult.events_unpartitioned;
DROP TABLE consult.events_unpartitioned;

-- Append-only, as in 0003, with one exception: consult.drop_tenant, run by the owner, removes
-- the rows of the tenant it names (it says which in a transaction-local setting). No other
-- role holds DELETE on the log, and the owner could drop the trigger anyway: the exception
-- opens nothing new, it makes the removal of a tenant a function rather than a procedure.
CREATE OR REPLACE FUNCTION consult.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.tenant_id::text = current_setting('consult.dropping_tenant', true) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consult.events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'CN009',
              HINT = 'Record a correcting event instead.';
END
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON consult.events
    FOR EACH ROW EXECUTE FUNCTION consult.refuse_change();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON consult.events
    FOR EACH STATEMENT EXECUTE FUNCTION consult.refuse_change();

-- Security, as 0006 declared it for the table this one replaces.
ALTER TABLE consult.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.events FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON consult.events TO consult_admin USING (true) WITH CHECK (true);
CREATE POLICY member_read ON consult.events FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));
REVOKE ALL ON consult.events FROM PUBLIC;
GRANT SELECT ON consult.events TO consult_member;
GRANT SELECT, INSERT ON consult.events TO consult_admin;

-- Every table of the consult schema with a tenant column, partitions left out (their parent
-- stands for them): what a tenant's removal empties and what Citus distributes (db/citus), read
-- from the catalog so that a table added later is not forgotten.
CREATE FUNCTION consult.tenant_tables() RETURNS SETOF regclass
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.oid::regclass
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'consult' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
     ORDER BY c.relname
$$;

REVOKE ALL ON FUNCTION consult.tenant_tables() FROM PUBLIC;

-- Removes a tenant completely: its events, every row of every table with a tenant column, its
-- members' login roles, and the tenant itself; nothing of any other tenant. The tenant's row is
-- locked first (FOR UPDATE), so an append of that tenant (which takes FOR NO KEY UPDATE) waits
-- and then finds no tenant. Owner only: EXECUTE is granted to nobody, and the rows go through
-- DELETE, which no other role may do on the log. Returns what it removed.
CREATE FUNCTION consult.drop_tenant(p_name text)
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
        EXECUTE format('DROP ROLE IF EXISTS %I', v_role);
    END LOOP;
    DELETE FROM consult.tenants t WHERE t.tenant_id = v_tenant;
    RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION consult.drop_tenant(text) FROM PUBLIC;

-- Plans of the append on a partitioned log. PL/pgSQL keeps a statement's generic plan when it
-- costs no more than a custom one; on a partitioned table a generic plan is costed over every
-- partition (the tenant is a parameter, pruned only when it runs), a custom one over the
-- tenant's partition alone, so every call fell back to planning each statement afresh: appends
-- were 30% slower than on the unpartitioned log (1,268 against 1,851 per second, one writer;
-- 1,852 with this setting).
-- The generic plan prunes at run time to the same single partition.
ALTER FUNCTION consult.append(bigint, uuid, text[], text[], integer[], text[], uuid[], timestamptz[], text[], bigint[], jsonb)
    SET plan_cache_mode = force_generic_plan;
