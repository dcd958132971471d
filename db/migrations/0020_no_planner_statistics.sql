-- No planner statistics on any tenant table: EXPLAIN must not tell one tenant about another.
--
-- Members cannot read pg_stats, but the planner reads pg_statistic for everyone: EXPLAIN's row
-- estimates of `tenant_id = 2` or `name < 'M'` come from the MCV lists and histograms that
-- ANALYZE gathered over every tenant's rows, and binary-searching such estimates recovered
-- another tenant's person names, organisation names, event counts and the name of every
-- consultancy (issue 18, item 1: ~400 EXPLAINs and 35 s a column).
--
-- So every column of every table with a tenant column, of each of their partitions, and every
-- expression column of their indexes gets a statistics target of 0 (ANALYZE skips it), and
-- extended statistics on them get 0 too. Every column, not only the text ones: a histogram of
-- positions, dates or stages counts another tenant's activity as well as a name does.
--
-- A target of 0 does not remove what ANALYZE gathered before (measured on PostgreSQL 15: the
-- pg_statistic rows stay, and the planner keeps using them), so they are deleted here. Only a
-- superuser may delete from pg_statistic; a migration run by a non-superuser owner warns
-- instead, and a superuser must run `SELECT consult.harden_tenant_tables()` once.
--
-- The planner then uses its defaults: 0.5% of a table for `col = value` (or one row of a table
-- under 200 rows), a third for a range, whatever the value. Plans still take the tenant-leading
-- indexes: an equality on tenant_id is estimated selective. What remains readable is the size
-- of each table and partition (pg_class.reltuples, relpages): docs/security.md says why that is
-- accepted.
--
-- consult.harden_tenant_tables() does it, idempotently; the migrator calls it after every run
-- of migrations (Sources/EventStore/Migrator.swift), so a table or partition added by a later
-- migration is covered without that migration remembering to.

CREATE FUNCTION consult.harden_statistics(p_table regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actions text;
    v_index   record;
    v_stat    record;
BEGIN
    SELECT string_agg(format('ALTER COLUMN %I SET STATISTICS 0', a.attname), ', ' ORDER BY a.attnum) INTO v_actions
      FROM pg_attribute a
     WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget <> 0;
    IF v_actions IS NOT NULL THEN
        EXECUTE format('ALTER TABLE ONLY %s %s', p_table, v_actions);
    END IF;
    -- Expression columns of indexes (tenants_name_key is on lower(name)): ANALYZE gathers
    -- statistics of the expression's values, and the planner uses them.
    FOR v_index IN
        SELECT i.indexrelid::regclass AS index, a.attnum
          FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indexrelid
         WHERE i.indrelid = p_table AND a.attnum > 0 AND i.indkey[a.attnum - 1] = 0 AND a.attstattarget <> 0
    LOOP
        EXECUTE format('ALTER INDEX %s ALTER COLUMN %s SET STATISTICS 0', v_index.index, v_index.attnum);
    END LOOP;
    FOR v_stat IN
        SELECT s.oid::regclass::text AS name FROM pg_statistic_ext s
         WHERE s.stxrelid = p_table AND s.stxstattarget IS DISTINCT FROM 0
    LOOP
        EXECUTE format('ALTER STATISTICS %s SET STATISTICS 0', v_stat.name);
    END LOOP;
    -- What was gathered before: only a superuser may remove it.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        DELETE FROM pg_statistic s
         WHERE s.starelid = p_table OR s.starelid IN (SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = p_table);
        DELETE FROM pg_statistic_ext_data d
         WHERE d.stxoid IN (SELECT s.oid FROM pg_statistic_ext s WHERE s.stxrelid = p_table);
    ELSIF EXISTS (SELECT 1 FROM pg_statistic s
                   WHERE s.starelid = p_table OR s.starelid IN (SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = p_table)) THEN
        RAISE WARNING 'statistics gathered before on % remain: a superuser must run SELECT consult.harden_tenant_tables()', p_table;
    END IF;
END
$$;

-- Every table with a tenant column and every partition under it (pg_partition_tree), each
-- hardened on its own: partitions attached later do not inherit a parent's targets.
CREATE FUNCTION consult.harden_tenant_tables() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_table regclass;
BEGIN
    FOR v_table IN
        -- pg_partition_tree lists a partitioned table and its partitions, and nothing for a
        -- plain table: hence the union.
        SELECT t FROM consult.tenant_tables() t
        UNION
        SELECT p.relid FROM consult.tenant_tables() t CROSS JOIN LATERAL pg_partition_tree(t) p
    LOOP
        PERFORM consult.harden_statistics(v_table);
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION consult.harden_statistics(regclass), consult.harden_tenant_tables() FROM PUBLIC;

SELECT consult.harden_tenant_tables();
