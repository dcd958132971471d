-- An event of the log that this version cannot decode is quarantined, not fatal (issue 18, item 3).
--
-- Measured before: one event of tenant A stored before 0026 checked bodies (OrganisationRegistered
-- with {"name": 42}) made every catch-up and rebuild of A fail at it, for good: A's reports went
-- stale, `projections status` showed the lag with exit 0, and `rebuild --verify` said no drift.
--
-- Now the projector records such an event here (its position, stream, type, schema version and
-- the decoder's error), leaves it out, and applies the rest. `consult projections status` and
-- `rebuild --verify` name every quarantined event and exit non-zero; a rebuild of every tenant
-- rebuilds the others and names the tenants with quarantined events (exit 2); reports say on
-- stderr how many events are left out and where.
--
-- What clears an entry: a rebuild of the tenant (`consult projections rebuild`), which replaces
-- the tenant's quarantine with what the new fold could not decode. Once this version can read
-- the event (an upcaster, or a newer consult, that decodes it), the rebuild applies it and the
-- entry is gone; nothing else deletes entries, and a catch-up only adds them. The table is a
-- read model like the others: kept by a rebuild as the previous version, put back by rollback,
-- written only through consult.projection_write (0027), read by a member for their own tenant.

CREATE TABLE consult.projection_quarantine (
    tenant_id      bigint NOT NULL REFERENCES consult.tenants,
    position       bigint NOT NULL,
    stream         text NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    error          text NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, position)
);

ALTER TABLE consult.projection_quarantine ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.projection_quarantine FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON consult.projection_quarantine TO consult_admin USING (true) WITH CHECK (true);
CREATE POLICY member_read ON consult.projection_quarantine FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));
REVOKE ALL ON consult.projection_quarantine FROM PUBLIC;
GRANT SELECT ON consult.projection_quarantine TO consult_member, consult_admin;

-- The quarantine is written, kept, cleared and rolled back with the read models.
CREATE OR REPLACE FUNCTION consult.projection_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['pipeline', 'stage_history', 'engagement_status', 'objective_progress', 'referrals', 'handovers', 'people',
                 'organisations', 'projection_quarantine']
$$;
