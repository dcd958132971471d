-- The import checks its lines on every core (issue 19, target 3): the functions of the body
-- checks are PARALLEL SAFE.
--
-- The import's fast path parses, checks and casts every staged line in one statement
-- (Sources/EventStore/Import.swift). Where the lines are staged in an unlogged table, the planner
-- reads them with parallel workers: but only when every function of the statement is marked
-- PARALLEL SAFE, and a function is PARALLEL UNSAFE unless it says otherwise. The body checks
-- (consult.body_problem_inline and each type's consult.event_body_problem_<type>, which the
-- planner inlines into it) are expressions over their arguments alone: no write, no state, no
-- temporary table. Measured on 300,000 lines (psql, alternating): the check of every line, 7.0
-- and 8.5 s in one process, 4.0-5.4 s with two workers beside it on this 2-core machine.
--
-- CREATE OR REPLACE FUNCTION resets a function to PARALLEL UNSAFE, and 0066's compiler writes
-- every check function again whenever a type is registered. So consult.compile_event_types() is
-- now 0066's compiler, renamed, followed by the marking; a migration that registers a type calls
-- consult.compile_event_types() as before.

ALTER FUNCTION consult.compile_event_types() RENAME TO compile_event_type_checks;
COMMENT ON FUNCTION consult.compile_event_type_checks() IS
    'Writes the body checks from consult.event_types (0066). Called by consult.compile_event_types(), which marks them PARALLEL SAFE.';

CREATE FUNCTION consult.compile_event_types() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_function regprocedure;
BEGIN
    PERFORM consult.compile_event_type_checks();
    FOR v_function IN SELECT p.oid::regprocedure
                        FROM pg_proc p
                       WHERE p.pronamespace = 'consult'::regnamespace
                         AND (p.proname LIKE 'event\_body\_problem\_%' OR p.proname = 'body_problem_inline')
    LOOP
        EXECUTE format('ALTER FUNCTION %s PARALLEL SAFE', v_function);
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION consult.compile_event_type_checks(), consult.compile_event_types() FROM PUBLIC;

SELECT consult.compile_event_types();
