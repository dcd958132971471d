-- Roles: who may do what, decided by PostgreSQL.
--
-- consult_member  every consultant's login role is granted this group. Members read their own
--                 tenant's rows (row-level security, 0006) and append through consult.append;
--                 they own nothing, are never superusers, and hold no UPDATE, DELETE or TRUNCATE.
-- consult_admin   the owner: runs migrations, creates tenants and members, rebuilds projections,
--                 and acts across tenants, explicitly. Granted to the role that migrates.
--
-- Roles belong to the whole cluster, not to one database, so creating them must tolerate a
-- second database in the same cluster having created them first, or creating them at the same
-- moment (the loser of that race gets unique_violation on pg_authid, not duplicate_object; the
-- migrator's advisory lock cannot help, as advisory locks belong to one database).
DO $$
BEGIN
    CREATE ROLE consult_member NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

DO $$
BEGIN
    CREATE ROLE consult_admin NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- The migrating role becomes an admin (a superuser is one already, but grants do no harm).
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'consult_admin', 'MEMBER') THEN
        EXECUTE format('GRANT consult_admin TO %I', current_user);
    END IF;
END
$$;
