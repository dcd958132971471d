-- The date an objective's previous measurement was taken, beside last_measured_at (its latest's).
--
-- Rule 8: an objective's latest measurement is the one with the latest date it was taken, not
-- the last one typed, and its previous (for the trend) is the one before it in that order. A
-- catch-up applies new events to the stored row, so the row keeps the id, value and date of
-- both; with the two dates, a measurement entered late, dated before them, is placed right.
--
-- Rows projected before this migration have it NULL where they have a previous measurement:
-- `consult projections rebuild --verify` reports them, and a rebuild fills it.
ALTER TABLE consult.objective_progress ADD COLUMN previous_measured_at timestamptz;
