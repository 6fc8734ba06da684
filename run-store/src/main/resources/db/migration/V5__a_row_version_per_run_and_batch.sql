-- The writer stores a batch's calls before its runs, so that a run's end gathers their text in the
-- same row version as the rest of the run (one version per run and batch, not three): a call's
-- run is checked at commit, when its row is there.
ALTER TABLE tool_calls ALTER CONSTRAINT tool_calls_tenant_run_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- An ended run's archived event stream in one row, not a row per entry: the same ids, names and
-- JSON text, in order. Writing a run's seven to ten rows and their index entries cost PostgreSQL
-- about a quarter of what storing the run did.
CREATE TABLE run_streams (
    tenant    text   NOT NULL,
    run_id    text   NOT NULL,
    entry_ids text[] NOT NULL,
    names     text[] NOT NULL,
    data      text[] NOT NULL,
    PRIMARY KEY (tenant, run_id),
    FOREIGN KEY (tenant, run_id) REFERENCES runs ON DELETE CASCADE
);

-- Streams archived before stay in run_events, where they are still read, and leave with their runs
-- (retention, erasure): copying them here would hold up the first start of this version for about
-- a minute per million runs.
