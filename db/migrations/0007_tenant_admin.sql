-- Creating tenants and members: admin only (EXECUTE is granted to consult_admin alone).
--
-- The member's password arrives already hashed by the client (libpq's
-- PQencryptPasswordConn, SCRAM-SHA-256), so the clear text never reaches the server, its
-- logs or pg_stat_activity. Role names are checked here and quoted with format('%I').

CREATE FUNCTION consult.create_tenant(p_name text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO consult.tenants (name) VALUES (p_name) RETURNING tenant_id INTO v_id;
    RETURN v_id;
END
$$;

CREATE FUNCTION consult.add_member(p_tenant bigint, p_role text, p_password_verifier text) RETURNS void
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
    INSERT INTO consult.members (tenant_id, role_name) VALUES (p_tenant, p_role);
END
$$;

REVOKE ALL ON FUNCTION consult.create_tenant(text), consult.add_member(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consult.create_tenant(text), consult.add_member(bigint, text, text) TO consult_admin;
