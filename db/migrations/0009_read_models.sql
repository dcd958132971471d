-- Read models: ordinary tables that psql, a BI tool or a spreadsheet can read, rebuilt from the
-- log at will. One projection ("backoffice") keeps them all; its checkpoint says up to which
-- log position of each tenant they are.
--
-- Every key starts with the tenant. Row-level security is forced as on every tenant table.
-- Members may write their own tenant's rows, since every `consult` command catches the
-- projection up after its append; `consult projections rebuild --verify` reports any row that
-- differs from what the log says.

CREATE TABLE consult.projection_checkpoints (
    tenant_id  bigint NOT NULL REFERENCES consult.tenants,
    projection text NOT NULL,
    position   bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, projection)
);

-- What rebuilds and verifications did, for `consult projections status`.
CREATE TABLE consult.projection_runs (
    tenant_id   bigint NOT NULL REFERENCES consult.tenants,
    run_id      bigint GENERATED ALWAYS AS IDENTITY,
    projection  text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('rebuild', 'verify', 'rollback')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    events      bigint NOT NULL,
    position    bigint NOT NULL,
    drift       boolean NOT NULL DEFAULT false,
    report      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, run_id)
);

-- The client pipeline: one row per lead. days in stage = now() - entered_stage_at.
CREATE TABLE consult.pipeline (
    tenant_id         bigint NOT NULL REFERENCES consult.tenants,
    lead_id           uuid NOT NULL,
    handle            text NOT NULL,
    organisation_id   uuid NOT NULL,
    stage             text NOT NULL,
    value_minor       bigint,
    currency          text,
    probability       integer NOT NULL,
    weighted_minor    bigint,
    source            text NOT NULL,
    referrer_id       uuid,
    expected_close    date,
    entered_stage_at  timestamptz NOT NULL,
    captured_at       timestamptz NOT NULL,
    closed_at         timestamptz,
    close_reason      text,
    engagement_id     uuid,
    PRIMARY KEY (tenant_id, lead_id)
);

-- Every stage a lead passed, with entry and exit: ageing and conversion.
CREATE TABLE consult.stage_history (
    tenant_id  bigint NOT NULL REFERENCES consult.tenants,
    lead_id    uuid NOT NULL,
    seq        integer NOT NULL,
    stage      text NOT NULL,
    entered_at timestamptz NOT NULL,
    exited_at  timestamptz,
    PRIMARY KEY (tenant_id, lead_id, seq)
);

-- Engagement status: the facts health is judged on (consult.engagement_health says how).
CREATE TABLE consult.engagement_status (
    tenant_id          bigint NOT NULL REFERENCES consult.tenants,
    engagement_id      uuid NOT NULL,
    handle             text NOT NULL,
    organisation_id    uuid NOT NULL,
    lead_id            uuid,
    title              text NOT NULL,
    kind               text NOT NULL,
    phase              text NOT NULL,
    sponsor_id         uuid,
    champions          uuid[] NOT NULL DEFAULT '{}',
    channels           text[] NOT NULL DEFAULT '{}',
    planned_handover   date,
    handover_state     text NOT NULL DEFAULT 'none',
    handover_on        date,
    checklist_total    integer NOT NULL DEFAULT 0,
    checklist_done     integer NOT NULL DEFAULT 0,
    checklist_waived   integer NOT NULL DEFAULT 0,
    budget_hours       double precision,
    hours_per_month    double precision,
    hours_by_month     jsonb NOT NULL DEFAULT '{}',
    started_at         timestamptz NOT NULL,
    closed_at          timestamptz,
    outcome            text,
    PRIMARY KEY (tenant_id, engagement_id)
);

-- Objective progress (rule 8): baseline → latest → target.
CREATE TABLE consult.objective_progress (
    tenant_id        bigint NOT NULL REFERENCES consult.tenants,
    objective_id     uuid NOT NULL,
    engagement_id    uuid NOT NULL,
    handle           text NOT NULL,
    business_area    text NOT NULL,
    metric           text NOT NULL,
    unit             text,
    direction        text NOT NULL,
    baseline         double precision NOT NULL,
    target           double precision NOT NULL,
    due              date NOT NULL,
    latest           double precision,
    previous         double precision,
    progress         double precision NOT NULL,
    trend            text,
    measurements     integer NOT NULL DEFAULT 0,
    last_measured_at timestamptz,
    set_at           timestamptz NOT NULL,
    status           text NOT NULL,
    latest_id        uuid,
    previous_id      uuid,
    PRIMARY KEY (tenant_id, objective_id)
);

-- Referrals: who introduced whom, and what it became.
CREATE TABLE consult.referrals (
    tenant_id         bigint NOT NULL REFERENCES consult.tenants,
    lead_id           uuid NOT NULL,
    referrer_id       uuid NOT NULL,
    via_engagement_id uuid,
    warmth            text,
    received_at       timestamptz NOT NULL,
    thanked_on        date,
    stage             text NOT NULL,
    won_value_minor   bigint,
    currency          text,
    engagement_id     uuid,
    PRIMARY KEY (tenant_id, lead_id)
);

-- Handovers: planned, completed, and the follow-up checks after.
CREATE TABLE consult.handovers (
    tenant_id      bigint NOT NULL REFERENCES consult.tenants,
    engagement_id  uuid NOT NULL,
    planned_on     date NOT NULL,
    owners         uuid[] NOT NULL,
    sponsor_id     uuid NOT NULL,
    planned_at     timestamptz NOT NULL,
    completed_at   timestamptz,
    signed_off_by  uuid,
    follow_ups     jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, engagement_id)
);

-- People's organisations, for "the sponsor left", and introductions asked of them (no
-- personal data here: ids only; names live in consult.person_details).
CREATE TABLE consult.people (
    tenant_id             bigint NOT NULL REFERENCES consult.tenants,
    person_id             uuid NOT NULL,
    organisation_id       uuid,
    has_left              boolean NOT NULL DEFAULT false,
    title                 text,
    level                 text,
    introduction_asked_at timestamptz,
    introduction_outcome  text,
    PRIMARY KEY (tenant_id, person_id)
);

-- Organisations: clients and prospects, by name (an organisation's name is not personal data).
CREATE TABLE consult.organisations (
    tenant_id       bigint NOT NULL REFERENCES consult.tenants,
    organisation_id uuid NOT NULL,
    handle          text NOT NULL,
    name            text NOT NULL,
    sector          text,
    registered_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, organisation_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['projection_checkpoints', 'projection_runs', 'pipeline', 'stage_history', 'engagement_status',
                             'objective_progress', 'referrals', 'handovers', 'people', 'organisations'] LOOP
        EXECUTE format('ALTER TABLE consult.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE consult.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY admin_all ON consult.%I TO consult_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY member_all ON consult.%I TO consult_member
                            USING (tenant_id = (SELECT consult.current_tenant_id()))
                            WITH CHECK (tenant_id = (SELECT consult.current_tenant_id()))', t);
        EXECUTE format('REVOKE ALL ON consult.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON consult.%I TO consult_member, consult_admin', t);
    END LOOP;
END
$$;

-- Health of an engagement, judged now (DOMAIN.md "Health"), with its reasons:
--   stalled  an open objective has had no measurement for 30 days (counted from when it was set);
--   at risk  an open objective is more than 20 points behind the straight line from its
--            baseline at the start to its target at the due date; or the handover date has
--            passed without completion; or the sponsor or a champion left the organisation;
--            or a retainer's hours this month exceed its hours per month;
--   on track otherwise. Closed engagements have no health.
CREATE VIEW consult.engagement_health WITH (security_invoker = true) AS
SELECT e.tenant_id, e.engagement_id,
       CASE WHEN e.phase = 'closed' THEN NULL
            WHEN cardinality(r.stalled) > 0 THEN 'stalled'
            WHEN cardinality(r.risks) > 0 THEN 'at risk'
            ELSE 'on track' END AS health,
       CASE WHEN e.phase = 'closed' THEN '{}'::text[] ELSE r.stalled || r.risks END AS reasons
  FROM consult.engagement_status e
  CROSS JOIN LATERAL (
    SELECT
      ARRAY(SELECT 'no measurement of ' || o.handle || ' for ' ||
                   (now()::date - coalesce(o.last_measured_at, o.set_at)::date) || ' days'
              FROM consult.objective_progress o
             WHERE o.tenant_id = e.tenant_id AND o.engagement_id = e.engagement_id AND o.status = 'open'
               AND coalesce(o.last_measured_at, o.set_at) < now() - interval '30 days'
             ORDER BY o.handle) AS stalled,
      ARRAY(SELECT reason FROM (
              SELECT o.handle || ' is ' || round((expected - o.progress)::numeric) || ' points behind plan' AS reason, 1 AS k
                FROM consult.objective_progress o
                CROSS JOIN LATERAL (
                  SELECT least(100, greatest(0,
                           100 * extract(epoch FROM now() - e.started_at)
                               / nullif(extract(epoch FROM o.due::timestamptz - e.started_at), 0))) AS expected) line
               WHERE o.tenant_id = e.tenant_id AND o.engagement_id = e.engagement_id AND o.status = 'open'
                 AND expected - o.progress > 20
              UNION ALL
              SELECT 'the handover date ' || coalesce(e.handover_on, e.planned_handover) || ' has passed', 2
               WHERE e.handover_state <> 'completed' AND coalesce(e.handover_on, e.planned_handover) < now()::date
              UNION ALL
              SELECT CASE WHEN p.person_id = e.sponsor_id THEN 'the sponsor' ELSE 'a champion' END || ' left the organisation', 3
                FROM consult.people p
               WHERE p.tenant_id = e.tenant_id AND p.has_left
                 AND (p.person_id = e.sponsor_id OR p.person_id = ANY (e.champions))
              UNION ALL
              SELECT 'retainer hours this month ' || (e.hours_by_month ->> to_char(now(), 'YYYY-MM')) || ' over ' || e.hours_per_month, 4
               WHERE e.hours_per_month IS NOT NULL
                 AND (e.hours_by_month ->> to_char(now(), 'YYYY-MM'))::float8 > e.hours_per_month
            ) reasons ORDER BY k, reason) AS risks
  ) r;

GRANT SELECT ON consult.engagement_health TO consult_member, consult_admin;

-- The previous version of each tenant's read models, kept by a rebuild for
-- `consult projections rollback`: the rows as JSON, and the checkpoint they stood at.
CREATE TABLE consult.projection_previous (
    tenant_id  bigint NOT NULL REFERENCES consult.tenants,
    projection text NOT NULL,
    position   bigint NOT NULL,
    kept_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, projection)
);

CREATE TABLE consult.projection_previous_rows (
    tenant_id  bigint NOT NULL REFERENCES consult.tenants,
    table_name text NOT NULL,
    row        jsonb NOT NULL
);
CREATE INDEX projection_previous_rows_idx ON consult.projection_previous_rows (tenant_id, table_name);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['projection_previous', 'projection_previous_rows'] LOOP
        EXECUTE format('ALTER TABLE consult.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE consult.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY admin_all ON consult.%I TO consult_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY member_all ON consult.%I TO consult_member
                            USING (tenant_id = (SELECT consult.current_tenant_id()))
                            WITH CHECK (tenant_id = (SELECT consult.current_tenant_id()))', t);
        EXECUTE format('REVOKE ALL ON consult.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON consult.%I TO consult_member, consult_admin', t);
    END LOOP;
END
$$;
