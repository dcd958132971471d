-- Row-level security and grants: isolation is PostgreSQL's job, not the CLI's.
--
-- Every table with a tenant column has RLS enabled and FORCED (so the owner's own paths obey
-- it too); members see the rows of the tenant their login role belongs to, admins see all.
-- The policies compare with consult.current_tenant_id() (the login role's tenant), never with
-- a session variable, which any client could SET.

ALTER TABLE consult.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE consult.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.members FORCE ROW LEVEL SECURITY;
ALTER TABLE consult.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.events FORCE ROW LEVEL SECURITY;
ALTER TABLE consult.followers ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.followers FORCE ROW LEVEL SECURITY;

-- Admins: everything, explicitly.
CREATE POLICY admin_all ON consult.tenants TO consult_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON consult.members TO consult_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON consult.events TO consult_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON consult.followers TO consult_admin USING (true) WITH CHECK (true);

-- Members: their own tenant. `(SELECT …)` makes the tenant an InitPlan, computed once per
-- statement, so the tenant-leading indexes are used.
CREATE POLICY member_read ON consult.tenants FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));
-- consult.append locks the tenant's row (FOR NO KEY UPDATE), which checks UPDATE policies.
CREATE POLICY member_lock ON consult.tenants FOR UPDATE TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT consult.current_tenant_id()));
CREATE POLICY member_read ON consult.members FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));
CREATE POLICY member_read ON consult.events FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));
CREATE POLICY member_read ON consult.followers FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));

-- Grants. Functions are executable by PUBLIC unless revoked: revoke first, then grant.
REVOKE ALL ON ALL TABLES IN SCHEMA consult FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA consult FROM PUBLIC;
GRANT USAGE ON SCHEMA consult TO consult_member, consult_admin;

GRANT SELECT ON consult.tenants, consult.members, consult.events, consult.followers TO consult_member;
GRANT UPDATE (lock_marker) ON consult.tenants TO consult_member;
GRANT EXECUTE ON FUNCTION consult.current_tenant_id(), consult.is_admin(), consult.events_channel(bigint),
    consult.follower_heartbeat(bigint, text),
    consult.append(bigint, uuid, text[], text[], integer[], text[], uuid[], timestamptz[], text[], bigint[], jsonb)
    TO consult_member;

-- Admins may write the small tables directly; events still only through consult.append (or
-- an import, issue 8), and never UPDATE, DELETE or TRUNCATE (the trigger of 0003).
GRANT SELECT, INSERT, UPDATE, DELETE ON consult.tenants, consult.members, consult.followers TO consult_admin;
GRANT SELECT, INSERT ON consult.events TO consult_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA consult TO consult_admin;
