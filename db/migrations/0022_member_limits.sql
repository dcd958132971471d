-- Limits on every member's login role: one consultant cannot take the server's connections or
-- hold locks and snapshots for everyone (issue 18, item 2).
--
-- Measured before: one member opened 97 of the server's 100 connections; an open transaction
-- left idle held back vacuum for every tenant; a member's lock waited until the client gave up.
--
--   CONNECTION LIMIT 16                        a command uses one or two connections; 16 leaves
--                                              room for a few at once and a script or two. The
--                                              server enforces it: the member cannot raise it.
--   idle_in_transaction_session_timeout 60s    a session left idle inside a transaction is
--                                              cut off (no consult command idles in one).
--   lock_timeout 10s                           a command waits at most 10 s for a lock.
--   statement_timeout 120s                     one statement runs at most 2 minutes.
--
-- The three settings are the role's defaults: PostgreSQL lets any session SET them again, so
-- they stop accidents and an ordinary client, not a member who sets them off on purpose. For
-- that, consult.enforce_member_limits() (the owner, run from cron every minute) terminates member
-- sessions idle in a transaction or running one statement longer than the limits above,
-- whatever the session set. docs/security.md says what is left.
--
-- The owner changes one member's limits with ALTER ROLE … CONNECTION LIMIT n / SET ….

CREATE FUNCTION consult.apply_member_limits(p_role text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('ALTER ROLE %I CONNECTION LIMIT 16', p_role);
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', p_role, '60s');
    EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', p_role, '10s');
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', p_role, '120s');
END
$$;

CREATE OR REPLACE FUNCTION consult.add_member(p_tenant bigint, p_role text, p_password_verifier text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_role !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'role name % is not 1-63 lowercase letters, digits or _, starting with a letter or _', quote_literal(p_role)
            USING ERRCODE = 'CN006';
    END IF;
    IF p_password_verifier IS NULL OR p_password_verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION 'the password must arrive hashed (SCRAM-SHA-256)' USING ERRCODE = 'CN006';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
        RAISE EXCEPTION 'role % already exists', p_role USING ERRCODE = '42710';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L IN ROLE consult_member',
                   p_role, p_password_verifier);
    PERFORM consult.apply_member_limits(p_role);
    INSERT INTO consult.members (tenant_id, role_name) VALUES (p_tenant, p_role);
END
$$;

-- Terminates member sessions past the limits whatever they SET: idle in a transaction for more
-- than 60 s, or in one statement for more than 120 s (the defaults). Returns whom it ended.
-- Needs the right to signal other roles' backends (a superuser, or a role granted
-- pg_signal_backend).
CREATE FUNCTION consult.enforce_member_limits(p_idle interval DEFAULT '60 seconds', p_statement interval DEFAULT '120 seconds')
    RETURNS TABLE (pid integer, role_name text, state text, for_seconds integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Chosen first, terminated after: in one query's WHERE the planner may call
    -- pg_terminate_backend before the other conditions have ruled a session out.
    FOR pid, role_name, state, for_seconds IN
        SELECT a.pid, a.usename::text, a.state, extract(epoch FROM now() - coalesce(a.state_change, a.query_start))::integer
          FROM pg_stat_activity a
         WHERE a.datname = current_database()
           AND a.usename IN (SELECT m.role_name FROM consult.members m)
           AND ((a.state LIKE 'idle in transaction%' AND a.state_change < now() - p_idle)
                OR (a.state = 'active' AND a.query_start < now() - p_statement))
    LOOP
        IF pg_terminate_backend(pid) THEN
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION consult.apply_member_limits(text), consult.enforce_member_limits(interval, interval) FROM PUBLIC;
-- add_member (admins) calls apply_member_limits.
GRANT EXECUTE ON FUNCTION consult.apply_member_limits(text), consult.enforce_member_limits(interval, interval) TO consult_admin;

-- The members that exist already.
SELECT consult.apply_member_limits(m.role_name) FROM consult.members m
 WHERE EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = m.role_name);
