-- consult.projection_previous_rows had no primary key. Every tenant table gets one that leads
-- with tenant_id: Citus distributes by it, and a logical replica (or a partition move) needs a
-- key to identify a row.
ALTER TABLE consult.projection_previous_rows
    ADD COLUMN row_id bigint GENERATED ALWAYS AS IDENTITY,
    ADD PRIMARY KEY (tenant_id, table_name, row_id);
DROP INDEX consult.projection_previous_rows_idx;
