-- As-of reports fold from a saved state (issue 19, target 5).
--
-- Measured before: `consult pipeline --as-of` over a tenant of 10,000 events took 267 ms (p50,
-- the full run of 2026-11-30), most of it folding the whole log up to the date on the fly.
--
-- A snapshot is the read models folded from a prefix of a tenant's log, positions 1 to
-- `position`, every event of which happened (occurred_at) before `before`, the start of a
-- month. An as-of report for an instant in that month or later starts from it and folds the
-- events after `position` that happened by the instant: the very computation of a fold from the
-- first event, step for step, so the rows are identical (Sources/Projections/Snapshots.swift
-- says why; ProjectionsTests/SnapshotTests checks it, with a correction dated before the
-- snapshot appended after it). Nothing appended later can make a snapshot wrong; one whose
-- `version` is not the running fold's (a changed projection or event type) is ignored. The
-- first as-of report of a month that finds no snapshot folds from the first event and writes it.
--
-- `state` is the model as JSON (ReadModel's Codable form). A tenant table: the tenant's own
-- rows, read by its members under RLS; written only through the SECURITY DEFINER function
-- below, for the caller's own tenant. Not a read-model table (not in projection_tables()): a
-- rebuild neither clears nor keeps it, since a snapshot is a function of the log and of the
-- fold's version alone.

CREATE TABLE consult.projection_snapshots (
    tenant_id  bigint NOT NULL REFERENCES consult.tenants,
    projection text NOT NULL,
    before     timestamptz NOT NULL,
    position   bigint NOT NULL CHECK (position >= 0),
    version    text NOT NULL,
    state      jsonb NOT NULL,
    taken_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, projection, before)
);

ALTER TABLE consult.projection_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.projection_snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON consult.projection_snapshots TO consult_admin USING (true) WITH CHECK (true);
CREATE POLICY member_read ON consult.projection_snapshots FOR SELECT TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()));
REVOKE ALL ON consult.projection_snapshots FROM PUBLIC;
GRANT SELECT ON consult.projection_snapshots TO consult_member, consult_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON consult.projection_snapshots FROM consult_member, consult_admin;

-- Writes (or replaces) the snapshot of the month starting at p_before for the acting tenant.
CREATE FUNCTION consult.projection_snapshot_write(p_tenant bigint, p_projection text, p_version text, p_before timestamptz,
                                                  p_position bigint, p_state jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    PERFORM consult.check_projection_name(p_projection);
    IF p_version IS NULL OR p_before IS NULL OR p_position IS NULL OR p_state IS NULL THEN
        RAISE EXCEPTION 'a snapshot needs a version, a month, a position and a state' USING ERRCODE = '22023';
    END IF;
    INSERT INTO consult.projection_snapshots (tenant_id, projection, before, position, version, state)
    VALUES (v_tenant, p_projection, p_before, p_position, p_version, p_state)
    ON CONFLICT (tenant_id, projection, before) DO UPDATE
        SET position = EXCLUDED.position, version = EXCLUDED.version, state = EXCLUDED.state, taken_at = EXCLUDED.taken_at;
    -- EXCLUDED's, not now(): Citus refuses a function that is not IMMUTABLE in DO UPDATE SET (0050).
END
$$;

REVOKE ALL ON FUNCTION consult.projection_snapshot_write(bigint, text, text, timestamptz, bigint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consult.projection_snapshot_write(bigint, text, text, timestamptz, bigint, jsonb)
    TO consult_member, consult_admin;
