-- A disqualified lead is its own outcome, not a lost one.
--
-- `lead disqualify` records LeadDisqualified and moves the lead's stage to lost (so it leaves the
-- open stages like any closed lead). The pipeline row used to keep only a close_reason prefixed
-- "disqualified: ", which the reports then counted as lost: outbound showed a 0% win rate for
-- leads the consultant had pushed back on. The row now says so in a column of its own, with the
-- reason in close_reason (a DisqualifyReason's raw value) and the note given in close_note;
-- the win rate counts won / (won + lost), disqualified leads apart.
--
-- Rows projected before this migration keep the prefixed reason and disqualified false:
-- `consult projections rebuild --verify` reports them, and a rebuild fills both columns.
ALTER TABLE consult.pipeline
    ADD COLUMN disqualified boolean NOT NULL DEFAULT false,
    ADD COLUMN close_note text;
