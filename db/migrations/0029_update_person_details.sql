-- A person's details edited (`consult person edit`, issue 16): members write consult.person_details
-- only through SECURITY DEFINER functions since 0027, so the edit is one of them too. NULL leaves
-- a field as it is; the caller's own tenant only (consult.acting_tenant), whatever it names.
CREATE FUNCTION consult.update_person_details(p_tenant bigint, p_person uuid, p_name text, p_email text, p_phone text)
    RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := consult.acting_tenant(p_tenant);
BEGIN
    UPDATE consult.person_details d
       SET name = coalesce(p_name, d.name), email = coalesce(p_email, d.email), phone = coalesce(p_phone, d.phone)
     WHERE d.tenant_id = v_tenant AND d.person_id = p_person;
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION consult.update_person_details(bigint, uuid, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consult.update_person_details(bigint, uuid, text, text, text) TO consult_member, consult_admin;
