-- A consultancy's own name and currency (issue 16, item 9).
--
-- `name` stays the slug that commands and roles use (`speak-for-yourself`); `display_name` is
-- how reports title the consultancy ("Speak For Yourself"), and `currency` is the ISO 4217 code
-- an amount typed without one is in ("4000" is 4000 GBP). Both are the owner's to set (the
-- admin functions below); members read their own tenant's row as before (policy member_read).

ALTER TABLE consult.tenants
    ADD COLUMN display_name text,
    ADD COLUMN currency text,
    -- Printable text only: no control characters, bidi overrides or isolates, zero-width
    -- characters, or line and paragraph separators (the same refusals as names in the
    -- application, Text.check), 1-200 characters.
    ADD CONSTRAINT tenants_display_name_check CHECK (
        display_name IS NULL
        OR (char_length(display_name) BETWEEN 1 AND 200
            AND display_name = btrim(display_name)
            AND display_name !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]')),
    ADD CONSTRAINT tenants_currency_check CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$');

-- No planner statistics on the new text columns either (0020): a member's EXPLAIN must not
-- estimate another consultancy's name.
SELECT consult.harden_statistics('consult.tenants');

-- One create_tenant: the display name and currency are optional arguments of the same function.
DROP FUNCTION consult.create_tenant(text);
CREATE FUNCTION consult.create_tenant(p_name text, p_display_name text DEFAULT NULL, p_currency text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO consult.tenants (name, display_name, currency) VALUES (p_name, p_display_name, p_currency)
        RETURNING tenant_id INTO v_id;
    RETURN v_id;
END
$$;

-- Changes the display name and currency of a tenant; NULL leaves a field as it is.
CREATE FUNCTION consult.set_tenant_profile(p_tenant bigint, p_display_name text, p_currency text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE consult.tenants
       SET display_name = coalesce(p_display_name, display_name),
           currency = coalesce(p_currency, currency)
     WHERE tenant_id = p_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no tenant with id %', p_tenant USING ERRCODE = 'CN006';
    END IF;
END
$$;

REVOKE ALL ON FUNCTION consult.create_tenant(text, text, text), consult.set_tenant_profile(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consult.create_tenant(text, text, text), consult.set_tenant_profile(bigint, text, text) TO consult_admin;
