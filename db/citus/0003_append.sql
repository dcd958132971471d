-- consult.append on Citus (issue 20, items 4 and 5, and Build 3): the function the base
-- migrations left (0045) with two changes made to its text, and delegated to the tenant's worker.
--
-- 1. The tenant of a member is read from the role catalog (consult.current_tenant_id() of
--    0001), not from consult.members: the call may run on a worker, inside the tenant's shard,
--    where a query of a reference table is refused.
-- 2. A tenant without a head is unknown (0002 makes each tenant's head with the tenant):
--    0045's consult.ensure_tenant_head reads consult.tenants, which a worker cannot.
-- Kept from 0045: the lock and the positions in the tenant's row of consult.tenant_heads,
-- co-located with the log (a row lock on consult.tenants, a reference table, is taken on every
-- node, and two tenants' appends waited for each other), and no forced generic plan (Citus
-- cannot build a distributed plan for the function's statements from a generic plan: "could not
-- create distributed plan"; a custom plan routes each statement to the tenant's shard).
--
-- Delegation: create_distributed_function with p_tenant as the distribution argument,
-- co-located with consult.events: a call naming its tenant (the CLI names it for members and
-- admins alike) outside an explicit transaction runs whole on the worker that holds the tenant's
-- shards, one round trip from the coordinator; inside a transaction (a command that writes
-- people's details with its events) it runs on the coordinator and each statement is routed.
-- The functions it calls are distributed too, so that they exist on every node (and Citus
-- propagates their later CREATE OR REPLACE). A follower's notification is sent on the node
-- where the append ran: followers poll too (0004), so a follower on the coordinator learns of a
-- delegated append at its next poll.
--
-- The changes are made to the installed function's text (pg_get_functiondef), as 0001 rewrites
-- the policies, rather than by a second copy of the function: a later consult.append in
-- db/migrations is then the Citus one too, once a db/citus file applies this rewrite again (the check below says when it no longer fits). If
-- the text to change is not there, the migration fails, naming it, instead of installing an
-- append that reads a reference table on a worker. p_tenant must stay the first argument (the
-- delegation is by it).

-- Commands on distributed functions need one connection a node for the whole transaction.
SET LOCAL citus.multi_shard_modify_mode = 'sequential';

DO $$
DECLARE
    v_append     constant regprocedure :=
        'consult.append(bigint, uuid, text[], text[], integer[], text[], uuid[], timestamptz[], text[], bigint[], jsonb)';
    v_definition text := pg_get_functiondef(v_append);
    -- 1. The tenant of the login role, from the role catalog.
    v_members    constant text := 'SELECT m.tenant_id INTO v_tenant FROM consult.members m WHERE m.role_name = session_user;';
    v_roles      constant text := 'v_tenant := consult.current_tenant_id();';
    -- 2. A tenant without a head is unknown (no consult.ensure_tenant_head, which reads consult.tenants).
    v_ensure     constant text := $body$    IF NOT FOUND THEN
        IF NOT consult.ensure_tenant_head(v_tenant) THEN
            RAISE EXCEPTION 'tenant % does not exist', v_tenant USING ERRCODE = 'CN002';
        END IF;
        UPDATE consult.tenant_heads h SET last_position = h.last_position + v_count
         WHERE h.tenant_id = v_tenant
        RETURNING h.last_position - v_count INTO v_position;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'tenant % does not exist', v_tenant USING ERRCODE = 'CN002';
        END IF;
    END IF;$body$;
    v_unknown    constant text := $body$    IF NOT FOUND THEN
        -- Every tenant has its head from its creation (db/citus/0002): none is a tenant unknown here.
        RAISE EXCEPTION 'tenant % does not exist', v_tenant USING ERRCODE = 'CN002';
    END IF;$body$;
BEGIN
    IF strpos(v_definition, v_members) = 0 OR strpos(v_definition, v_ensure) = 0 THEN
        RAISE EXCEPTION 'consult.append is not the function db/citus/0003 knows how to change (db/migrations/0045): % is missing',
            CASE WHEN strpos(v_definition, v_members) = 0 THEN 'the tenant''s lookup in consult.members' ELSE 'the head''s creation' END;
    END IF;
    EXECUTE replace(replace(v_definition, v_members, v_roles), v_ensure, v_unknown);
END
$$;

-- Every function of the schema exists on every node (the append and the policies call them there).
DO $$
DECLARE
    v_function regprocedure;
BEGIN
    FOR v_function IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'consult'::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_dist_object d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid)
    LOOP
        PERFORM create_distributed_function(v_function::text);
    END LOOP;
END
$$;

SELECT create_distributed_function(
    'consult.append(bigint, uuid, text[], text[], integer[], text[], uuid[], timestamptz[], text[], bigint[], jsonb)',
    distribution_arg_name := 'p_tenant', colocate_with := 'consult.events');
