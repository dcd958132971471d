-- Personal data lives here, not in the log: names, e-mail addresses and phone numbers of people.
--
-- Events carry a person's id only, so `consult forget PERSON` can delete this row and make the
-- details unrecoverable while the log stays append-only; reports then show "(erased)". The
-- handle (a slug of the name) is personal data too, so it lives here as well.
CREATE TABLE consult.person_details (
    tenant_id  bigint NOT NULL REFERENCES consult.tenants,
    person_id  uuid NOT NULL,
    handle     text NOT NULL,
    name       text NOT NULL,
    email      text,
    phone      text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id),
    CONSTRAINT person_details_handle_key UNIQUE (tenant_id, handle),
    CONSTRAINT person_details_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT person_details_email_check CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$')
);

ALTER TABLE consult.person_details ENABLE ROW LEVEL SECURITY;
ALTER TABLE consult.person_details FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON consult.person_details TO consult_admin USING (true) WITH CHECK (true);
-- Members keep their own tenant's people: add, correct, and erase them.
CREATE POLICY member_all ON consult.person_details TO consult_member
    USING (tenant_id = (SELECT consult.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT consult.current_tenant_id()));

REVOKE ALL ON consult.person_details FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON consult.person_details TO consult_member, consult_admin;
