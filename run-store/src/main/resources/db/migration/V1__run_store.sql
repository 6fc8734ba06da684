-- The system of record. One writer (the store consumer of the run's Kafka events) fills it with
-- upserts, so a redelivered or replayed event changes nothing; everything is keyed by tenant.

CREATE TABLE runs (
    tenant          text        NOT NULL,
    run_id          text        NOT NULL,
    conversation_id text,
    agent           text,
    priority        text,
    correlation_id  text,
    status          text        NOT NULL DEFAULT 'accepted',
    input           jsonb,
    output          jsonb,
    error           text,
    created_at      timestamptz,
    deadline        timestamptz,
    completed_at    timestamptz,
    -- the text a search matches: the input, the answer (or the output), the tools' outputs
    input_text      text,
    answer_text     text,
    tool_text       text,
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', coalesce(input_text, '')), 'A') ||
                        setweight(to_tsvector('english', coalesce(answer_text, '')), 'B') ||
                        setweight(to_tsvector('english', coalesce(tool_text, '')), 'C')) STORED,
    PRIMARY KEY (tenant, run_id)
);

CREATE INDEX runs_newest ON runs (tenant, created_at DESC, run_id DESC);
CREATE INDEX runs_conversation ON runs (tenant, conversation_id, created_at);
CREATE INDEX runs_search ON runs USING gin (search);
CREATE INDEX runs_unfinished ON runs (created_at) WHERE completed_at IS NULL;

-- One row per task: a tool call or a model call, with the tokens a model call used.
CREATE TABLE tool_calls (
    tenant            text    NOT NULL,
    run_id            text    NOT NULL,
    task_id           text    NOT NULL,
    step              integer NOT NULL,
    tool              text    NOT NULL,
    status            text    NOT NULL,
    attempts          integer NOT NULL,
    duration_ms       bigint  NOT NULL,
    cached            boolean NOT NULL,
    args              jsonb,
    output            jsonb,
    error             text,
    prompt_tokens     bigint  NOT NULL DEFAULT 0,
    completion_tokens bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, run_id, task_id),
    FOREIGN KEY (tenant, run_id) REFERENCES runs ON DELETE CASCADE
);

-- A run's event stream as SSE clients read it, archived when the run has ended: the same ids,
-- names and JSON text (not jsonb, which would reorder it), so reads after Redis has let the run
-- go answer exactly as before.
CREATE TABLE run_events (
    tenant   text    NOT NULL,
    run_id   text    NOT NULL,
    position integer NOT NULL,
    entry_id text    NOT NULL,
    name     text    NOT NULL,
    data     text    NOT NULL,
    PRIMARY KEY (tenant, run_id, position),
    FOREIGN KEY (tenant, run_id) REFERENCES runs ON DELETE CASCADE
);

-- The strings and numbers of a JSON document, in document order: what a search reads of it.
CREATE FUNCTION json_text(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(v #>> '{}', ' ')
    FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "string" || @.type() == "number")') v
$$;
