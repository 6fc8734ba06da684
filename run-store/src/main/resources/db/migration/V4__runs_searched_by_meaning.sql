-- Whether a run is embedded to be found by meaning: as its agent says (searchByMeaning in the
-- catalog). A calculator's numbers are found by their words; embedding them would cost about 10 ms
-- of CPU a run for nothing. Runs stored before keep being embedded.
ALTER TABLE runs ADD COLUMN embed boolean NOT NULL DEFAULT true;
DROP INDEX runs_to_embed;
CREATE INDEX runs_to_embed ON runs (completed_at) WHERE completed_at IS NOT NULL AND embedding IS NULL AND embed;
