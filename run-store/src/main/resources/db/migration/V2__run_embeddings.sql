-- Each ended run's meaning, for semantic search: the all-MiniLM-L6-v2 embedding (384 dimensions)
-- of its input and answer, normalised and quantised to one signed byte per dimension (384 bytes).
-- embedded_seq orders the embeddings so that a searcher's in-memory copy of a tenant's vectors
-- only reads what is new.
ALTER TABLE runs ADD COLUMN embedding bytea, ADD COLUMN embedded_seq bigint;
CREATE SEQUENCE runs_embedded_seq;
CREATE INDEX runs_to_embed ON runs (completed_at) WHERE completed_at IS NOT NULL AND embedding IS NULL;
CREATE INDEX runs_embedded ON runs (tenant, embedded_seq) WHERE embedding IS NOT NULL;

-- What Redis counted for the run's token budget (used, limit) and its models' tokens
-- ({"<model>:prompt": n, "<model>:completion": n}), archived when the run ended, for
-- GET /v1/runs/{id}/usage once Redis has let the counts go.
ALTER TABLE runs ADD COLUMN budget jsonb;
