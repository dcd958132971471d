-- The log: one table of events, append-only, one gapless position sequence per tenant.
--
-- position        the tenant's log position: 1, 2, 3 … with no hole, drawn under the
--                 tenant's row lock inside the appending transaction, so positions commit in
--                 order and a reader following `position > checkpoint` never skips one.
-- stream_version  the event's version in its stream: 1 … n, no hole (the optimistic check).
-- metadata        the envelope as the database saw it: actor (the login role), occurred_at,
--                 recorded_at, correlation_id, causation_id, command_id, plus any extra
--                 keys the client sent; the keys the database owns cannot be forged.
-- xid             the writing transaction (pg_current_xact_id), for a cross-tenant feed.
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
);

-- Idempotency: finds the events a command already wrote.
CREATE INDEX events_command_idx ON consult.events (tenant_id, command_id) WHERE command_id IS NOT NULL;
-- Reports and as-of folds ask "what happened before date X".
CREATE INDEX events_occurred_idx ON consult.events (tenant_id, occurred_at);

-- Append-only for everyone, owner and superuser included: corrections are new events.
CREATE FUNCTION consult.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
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
