-- Distribute consult across a Citus cluster by tenant: applied by `consult migrate --citus` on
-- the coordinator, after db/migrations, recorded as citus/0001_distribute. (This file was
-- rewritten by issue 20 before it had ever applied anywhere: against Citus 13.2 its first
-- distribution failed, inside the one transaction the file runs in.)
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
-- Row-level security: Citus refuses a policy with a subquery on a distributed table, and the
-- policies run on the workers, where a function reading consult.members (a Citus table) fails
-- ("cannot execute a distributed query from a query on a shard"). So, on Citus, a member's
-- tenant is read from the role catalog, which Citus copies to every node: each tenant has a
-- group role consult_tenant_<id> (NOLOGIN, no privilege), granted to its members by
-- consult.add_member (db/citus/0002), and the policies call consult.current_tenant_id()
-- directly. Verified by scripts/citus (CitusTests); see docs/scaling.md.
CREATE EXTENSION IF NOT EXISTS citus;

-- Inside this transaction only: foreign keys from distributed tables to the reference table
-- consult.tenants, and the append-only triggers (which refuse UPDATE, DELETE and TRUNCATE on
-- every shard) are what this schema needs.
SET LOCAL citus.enable_local_reference_table_foreign_keys = off;
SET LOCAL citus.enable_unsafe_triggers = on;
SET LOCAL citus.multi_shard_modify_mode = 'sequential';

-- A member's tenant from the role catalog: the one tenant group role granted to the login role.
CREATE OR REPLACE FUNCTION consult.current_tenant_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT CASE WHEN count(*) = 1 THEN min(substr(g.rolname, 16)::bigint) END
              FROM pg_auth_members a
              JOIN pg_roles g ON g.oid = a.roleid
              JOIN pg_roles u ON u.oid = a.member
             WHERE u.rolname = session_user AND g.rolname ~ '^consult_tenant_[0-9]+$');
END
$$;

-- The group roles of the tenants and members that exist already.
DO $$
DECLARE
    v_tenant bigint;
    v_member record;
BEGIN
    FOR v_tenant IN SELECT t.tenant_id FROM consult.tenants t LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'consult_tenant_' || v_tenant) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', 'consult_tenant_' || v_tenant);
        END IF;
    END LOOP;
    FOR v_member IN SELECT m.tenant_id, m.role_name FROM consult.members m LOOP
        EXECUTE format('GRANT %I TO %I', 'consult_tenant_' || v_member.tenant_id, v_member.role_name);
    END LOOP;
END
$$;

-- Every policy comparing with `(SELECT consult.current_tenant_id())` calls it directly instead.
DO $$
DECLARE
    v_policy record;
    v_pattern constant text := '\(\s*SELECT consult\.current_tenant_id\(\) AS current_tenant_id\)';
BEGIN
    FOR v_policy IN
        SELECT p.tablename, p.policyname, p.qual, p.with_check FROM pg_policies p
         WHERE p.schemaname = 'consult' AND (p.qual ~ v_pattern OR p.with_check ~ v_pattern)
    LOOP
        IF v_policy.qual IS NOT NULL THEN
            EXECUTE format('ALTER POLICY %I ON consult.%I USING (%s)', v_policy.policyname, v_policy.tablename,
                           regexp_replace(v_policy.qual, v_pattern, 'consult.current_tenant_id()', 'g'));
        END IF;
        IF v_policy.with_check IS NOT NULL THEN
            EXECUTE format('ALTER POLICY %I ON consult.%I WITH CHECK (%s)', v_policy.policyname, v_policy.tablename,
                           regexp_replace(v_policy.with_check, v_pattern, 'consult.current_tenant_id()', 'g'));
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'consult' AND (p.qual ~* 'select' OR p.with_check ~* 'select')) THEN
        RAISE EXCEPTION 'a policy of the consult schema still holds a subquery, which Citus refuses on a distributed table';
    END IF;
END
$$;

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
