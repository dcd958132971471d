-- Health of an engagement is judged in one place: Swift's `Reports.health` (Sources/Reports),
-- which `consult status` and every report format use.
--
-- The view consult.engagement_health said the same in SQL for psql users, and nothing checked
-- that the two agreed: one judge drifting from the other (a reason worded differently, a day
-- counted another way) would show a user two verdicts. The facts health is judged on stay in
-- consult.engagement_status and consult.objective_progress; `consult status --format csv` or
-- `--format json` gives the verdict and its reasons to a spreadsheet or a BI tool.
DROP VIEW consult.engagement_health;
