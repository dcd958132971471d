-- Distribute consult across a Citus cluster by tenant: applied by `consult migrate --citus` on
-- the coordinator, after db/migrations, recorded as citus/0001_distribute.
--
-- * consult.tenants and consult.members are small and shared (a tenant's name is unique across
--   tenants, a login role belongs to one tenant): reference tables, copied to every node.
-- * Every other table with a tenant column (the log, read models, checkpoints, personal
--   details, followers) is distributed by tenant_id and co-located with consult.events, so all
--   of one tenant's rows live on one node and every statement of the application, which names
--   its tenant, is routed to that node alone. The log stays partitioned by hash inside each
--   shard (0012).
-- * consult.migrations stays on the coordinator.
--
-- Verified here: nothing of this file runs without Citus (no Citus package installs on the
-- development machine); its structure is checked by the SchemaTests (every key leads with
-- tenant_id, which create_distributed_table requires of unique keys). See docs/scaling.md.
CREATE EXTENSION IF NOT EXISTS citus;

SELECT create_reference_table('consult.tenants');
SELECT create_reference_table('consult.members');

SELECT create_distributed_table('consult.events', 'tenant_id', shard_count := 32);

DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT x FROM consult.tenant_tables() x
         WHERE x NOT IN ('consult.events'::regclass, 'consult.tenants'::regclass, 'consult.members'::regclass)
    LOOP
        PERFORM create_distributed_table(t::text, 'tenant_id', colocate_with := 'consult.events');
    END LOOP;
END
$$;
