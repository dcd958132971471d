-- Metric values and hours as exact decimals: numeric, not double precision.
--
-- Rule 8 says a metric's values keep the decimals given. In double precision 1.8 is
-- 1.8000000000000000444 and 0.1 + 0.2 is 0.30000000000000004; numeric holds the digits typed,
-- and consult writes and reads them as text, never through a float8 (Quantity in BackOffice).
-- Hours are summed per month in numeric too: 5.25 + 2.75 is 8.
--
-- Rows projected before this migration convert in place: float8 → numeric keeps the 15
-- significant digits that PostgreSQL prints for a float8, which is the number consult was
-- given (every value came from a typed number of a few digits). hours_by_month is jsonb, whose
-- numbers are numeric already. progress stays double precision: it is a ratio, not a value
-- typed, and is shown rounded in tables and unrounded in JSON.
ALTER TABLE consult.objective_progress
    ALTER COLUMN baseline TYPE numeric USING baseline::numeric,
    ALTER COLUMN target TYPE numeric USING target::numeric,
    ALTER COLUMN latest TYPE numeric USING latest::numeric,
    ALTER COLUMN previous TYPE numeric USING previous::numeric;

ALTER TABLE consult.engagement_status
    ALTER COLUMN budget_hours TYPE numeric USING budget_hours::numeric,
    ALTER COLUMN hours_per_month TYPE numeric USING hours_per_month::numeric;
