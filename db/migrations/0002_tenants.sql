-- Tenants (consultancies) and their members (the login roles of their consultants).
--
-- A role belongs to at most one tenant. The tenant of a session is the one its *login* role
-- (session_user) belongs to: a client can SET a variable or SET ROLE, but cannot change who
-- it logged in as, so neither widens what it sees.
CREATE TABLE consult.tenants (
    tenant_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Written by nothing: the one column members may UPDATE, so that consult.append can take
    -- the tenant's row lock (SELECT … FOR NO KEY UPDATE needs an UPDATE privilege).
    lock_marker boolean,
    CONSTRAINT tenants_name_check CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$')
);
CREATE UNIQUE INDEX tenants_name_key ON consult.tenants (lower(name));

CREATE TABLE consult.members (
    tenant_id  bigint NOT NULL REFERENCES consult.tenants,
    role_name  name NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, role_name),
    CONSTRAINT members_role_key UNIQUE (role_name)
);

-- The tenant of the connected login role, or NULL (an admin, or a role of no tenant).
-- SECURITY DEFINER so that it can read consult.members without a policy that reads
-- consult.members (which would recurse); it reveals nothing but the caller's own tenant.
-- PL/pgSQL rather than SQL: a SECURITY DEFINER SQL function is planned again on every call,
-- a PL/pgSQL one keeps its plan for the session (measured: it was the largest cost of an
-- append).
CREATE FUNCTION consult.current_tenant_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT tenant_id FROM consult.members WHERE role_name = session_user);
END
$$;

-- Whether the connected login role is an admin (a superuser, or granted consult_admin).
CREATE FUNCTION consult.is_admin() RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT rolsuper OR pg_has_role(session_user, 'consult_admin', 'MEMBER')
              FROM pg_roles WHERE rolname = session_user);
END
$$;
