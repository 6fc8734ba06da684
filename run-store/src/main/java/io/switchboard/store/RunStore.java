package io.switchboard.store;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.RunEvent;
import io.switchboard.events.stream.RunEvents;
import io.switchboard.events.stream.ToolResult;
import io.switchboard.platform.RunEventLog;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The system of record in PostgreSQL: runs, their tool and model calls with the tokens they used,
 * their final outputs and their archived event streams. One writer ({@link #record}) stores the
 * run's Kafka events with upserts keyed by tenant, run and task, so a redelivered or replayed
 * event changes nothing; the gateway, the operations service and the tools read.
 */
public class RunStore {

    private static final String RUN_COLUMNS = """
            r.run_id, r.conversation_id, r.agent, r.priority, r.status, r.input, r.output, r.error, r.created_at,
            r.completed_at,
            (SELECT count(*) FROM tool_calls t WHERE t.tenant = r.tenant AND t.run_id = r.run_id) AS tool_calls,
            (SELECT coalesce(sum(t.prompt_tokens), 0) FROM tool_calls t WHERE t.tenant = r.tenant AND t.run_id = r.run_id) AS prompt_tokens,
            (SELECT coalesce(sum(t.completion_tokens), 0) FROM tool_calls t WHERE t.tenant = r.tenant AND t.run_id = r.run_id) AS completion_tokens
            """;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Predicate<String> searchedByMeaning;

    /** A store whose runs are all embedded to be found by meaning. */
    public RunStore(JdbcTemplate jdbc, TransactionTemplate transactions) {
        this(jdbc, transactions, agent -> true);
    }

    /** @param searchedByMeaning by an agent's name, whether its ended runs are to be embedded ({@link #embedNext}) */
    public RunStore(JdbcTemplate jdbc, TransactionTemplate transactions, Predicate<String> searchedByMeaning) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.searchedByMeaning = searchedByMeaning;
    }

    /** One of a run's Kafka events with its envelope: {@link AgentRequested}, {@link ToolCalled} or {@link AgentCompleted}. */
    public record Event(Envelope envelope, Object event) {
    }

    /**
     * Stores a batch of events in one transaction: first the tool and model calls, then each run
     * once, with all the batch says of it (its request, that it runs, its end, the budget archived
     * at its end) in one row version, so that a batch holding a whole run stores its row once.
     * Events of other types are ignored.
     */
    public void record(List<Event> events) {
        record(events, List.of());
    }

    /**
     * As {@link #record(List)}, and archives {@code ended} ({@link #archive}) in the same
     * transaction: a poll of the store's writer costs PostgreSQL one commit.
     */
    public void record(List<Event> events, List<Ended> ended) {
        Map<List<String>, RunRow> runs = new LinkedHashMap<>();
        List<Object[]> calls = new ArrayList<>();
        for (Event event : events) {
            String tenant = event.envelope().tenantId();
            switch (event.event()) {
                case AgentRequested run -> RunRow.of(runs, tenant, run.runId())
                        .requested(run, event.envelope().correlationId(), searchedByMeaning.test(run.agent()));
                case ToolCalled call -> {
                    RunRow.of(runs, tenant, call.runId()).running(call.conversationId(), call.agent());
                    calls.add(call(tenant, call));
                }
                case AgentCompleted end -> RunRow.of(runs, tenant, end.runId()).completed(end);
                default -> {
                }
            }
        }
        List<Ended> streams = new ArrayList<>(); // the budgets of runs in the batch go in their rows
        for (Ended run : ended) {
            RunRow row = runs.get(Arrays.asList(run.tenant(), run.runId()));
            if (row != null && run.budget() != null) {
                row.budget = json(run.budget());
                streams.add(new Ended(run.tenant(), run.runId(), run.entries(), null));
            } else {
                streams.add(run);
            }
        }
        transactions.executeWithoutResult(status -> {
            // The calls first: an end gathers their text. Their key to the run is checked at commit.
            batch("""
                    INSERT INTO tool_calls (tenant, run_id, task_id, step, tool, status, attempts, duration_ms, cached, args,
                                            output, error, prompt_tokens, completion_tokens)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """, calls);
            // A row with created_at holds a request, one with completed_at an end: on conflict each
            // sets what it tells, a call only moves an accepted run to running, and a redelivered
            // call changes nothing.
            batch("""
                    INSERT INTO runs (tenant, run_id, conversation_id, agent, priority, correlation_id, input, created_at, deadline,
                                      embed, input_text, status, output, error, completed_at, answer_text, tool_text, budget)
                    VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, json_text(?::jsonb), ?, ?::jsonb, ?, ?,
                            coalesce(?::jsonb ->> 'answer', json_text(?::jsonb)),
                            (SELECT string_agg(json_text(t.output), ' ') FROM tool_calls t
                             WHERE t.tenant = ? AND t.run_id = ? AND t.tool <> 'model.chat'),
                            ?::jsonb)
                    ON CONFLICT (tenant, run_id) DO UPDATE SET
                        conversation_id = coalesce(excluded.conversation_id, runs.conversation_id),
                        agent = coalesce(excluded.agent, runs.agent),
                        priority = CASE WHEN excluded.created_at IS NULL THEN runs.priority ELSE excluded.priority END,
                        correlation_id = CASE WHEN excluded.created_at IS NULL THEN runs.correlation_id ELSE excluded.correlation_id END,
                        input = CASE WHEN excluded.created_at IS NULL THEN runs.input ELSE excluded.input END,
                        created_at = coalesce(excluded.created_at, runs.created_at),
                        deadline = CASE WHEN excluded.created_at IS NULL THEN runs.deadline ELSE excluded.deadline END,
                        embed = CASE WHEN excluded.created_at IS NULL THEN runs.embed ELSE excluded.embed END,
                        input_text = CASE WHEN excluded.created_at IS NULL THEN runs.input_text ELSE excluded.input_text END,
                        status = CASE WHEN excluded.completed_at IS NOT NULL OR runs.status = 'accepted' THEN excluded.status
                                      ELSE runs.status END,
                        output = CASE WHEN excluded.completed_at IS NULL THEN runs.output ELSE excluded.output END,
                        error = CASE WHEN excluded.completed_at IS NULL THEN runs.error ELSE excluded.error END,
                        completed_at = coalesce(excluded.completed_at, runs.completed_at),
                        answer_text = CASE WHEN excluded.completed_at IS NULL THEN runs.answer_text ELSE excluded.answer_text END,
                        tool_text = CASE WHEN excluded.completed_at IS NULL THEN runs.tool_text ELSE excluded.tool_text END,
                        budget = coalesce(excluded.budget, runs.budget)
                    WHERE excluded.created_at IS NOT NULL OR excluded.completed_at IS NOT NULL OR excluded.budget IS NOT NULL
                        OR runs.status = 'accepted'
                    """, runs.values().stream().map(RunRow::values).toList());
            archive(streams);
        });
    }

    /** What one batch says of one run, stored in one row version ({@link #record}). */
    private static final class RunRow {

        private final String tenant;
        private final String runId;
        private String conversationId;
        private String agent;
        private AgentRequested requested;
        private String correlationId;
        private boolean embed = true;
        private boolean running;
        private AgentCompleted completed;
        private String budget;

        private RunRow(String tenant, String runId) {
            this.tenant = tenant;
            this.runId = runId;
        }

        /** The run's row in {@code runs}; a run without an id gets one too, for PostgreSQL to refuse. */
        static RunRow of(Map<List<String>, RunRow> runs, String tenant, String runId) {
            return runs.computeIfAbsent(Arrays.asList(tenant, runId), key -> new RunRow(tenant, runId));
        }

        void requested(AgentRequested run, String correlationId, boolean embed) {
            this.requested = run;
            this.correlationId = correlationId;
            this.embed = embed;
            named(run.conversationId(), run.agent());
        }

        void running(String conversationId, String agent) {
            named(conversationId, agent);
            running = true;
        }

        void completed(AgentCompleted end) {
            this.completed = end;
            named(end.conversationId(), end.agent());
        }

        private void named(String conversationId, String agent) {
            this.conversationId = this.conversationId == null ? conversationId : this.conversationId;
            this.agent = this.agent == null ? agent : this.agent;
        }

        Object[] values() {
            String input = requested == null ? null : json(requested.input());
            String output = completed == null ? null : json(completed.output());
            String status = completed != null ? completed.status().wireName() : running ? "running" : "accepted";
            return new Object[]{tenant, runId, conversationId, agent,
                    requested == null || requested.priority() == null ? null : requested.priority().wireName(),
                    requested == null ? null : correlationId, input, requested == null ? null : timestamp(requested.requestedAt()),
                    requested == null ? null : timestamp(requested.deadline()), embed, input, status, output,
                    completed == null ? null : text(completed.error()), completed == null ? null : timestamp(completed.completedAt()),
                    output, output, completed == null ? null : tenant, completed == null ? null : runId, budget};
        }
    }

    /**
     * What Redis holds of an ended run that the store keeps when the run ends: its event stream as
     * SSE clients read it, and its token budget (null if Redis had none).
     */
    public record Ended(String tenant, String runId, List<RunEventLog.Entry> entries, Budget budget) {
    }

    /**
     * Archives ended runs' streams, a row each, and their budgets, one batch each; a stream
     * archived before is kept, and one Redis had lost (no entries) is not archived.
     */
    public void archive(List<Ended> runs) {
        List<Object[]> streams = new ArrayList<>();
        List<Object[]> budgets = new ArrayList<>();
        for (Ended run : runs) {
            if (!run.entries().isEmpty()) {
                streams.add(new Object[]{run.tenant(), run.runId(),
                        run.entries().stream().map(RunEventLog.Entry::id).toArray(String[]::new),
                        run.entries().stream().map(RunEventLog.Entry::name).toArray(String[]::new),
                        run.entries().stream().map(RunEventLog.Entry::data).toArray(String[]::new)});
            }
            if (run.budget() != null) {
                budgets.add(new Object[]{json(run.budget()), run.tenant(), run.runId()});
            }
        }
        batch("INSERT INTO run_streams (tenant, run_id, entry_ids, names, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                streams);
        batch("UPDATE runs SET budget = ?::jsonb WHERE tenant = ? AND run_id = ?", budgets);
    }

    /** A run's token budget as Redis counted it: used and limit, and each model's tokens ({@code <model>:prompt}, {@code <model>:completion}). */
    public record Budget(long used, long limit, Map<String, String> models) {
    }

    /** An ended run's archived budget; empty if none was archived. */
    public Optional<Budget> budget(String tenant, String runId) {
        return jdbc.query("SELECT budget FROM runs WHERE tenant = ? AND run_id = ? AND budget IS NOT NULL",
                (rs, row) -> EventCodec.mapper().readValue(rs.getString(1), Budget.class), tenant, runId).stream().findFirst();
    }

    /**
     * An ended run's event stream: as archived, or, for a run whose stream Redis lost before it
     * was archived, made from what the store holds ({@code run.accepted}, each tool's outcome,
     * the end; ids from the run's times). Empty if there is no such run.
     */
    public List<RunEventLog.Entry> events(String tenant, String runId) {
        List<RunEventLog.Entry> archived = jdbc.query("SELECT entry_ids, names, data FROM run_streams WHERE tenant = ? AND run_id = ?",
                rs -> {
                    List<RunEventLog.Entry> entries = new ArrayList<>();
                    if (rs.next()) {
                        String[] ids = (String[]) rs.getArray(1).getArray();
                        String[] names = (String[]) rs.getArray(2).getArray();
                        String[] data = (String[]) rs.getArray(3).getArray();
                        for (int i = 0; i < ids.length; i++) {
                            entries.add(new RunEventLog.Entry(ids[i], names[i], data[i]));
                        }
                    }
                    return entries;
                }, tenant, runId);
        if (archived.isEmpty()) { // archived a row per entry, before run_streams
            archived = jdbc.query("SELECT entry_id, name, data FROM run_events WHERE tenant = ? AND run_id = ? ORDER BY position",
                    (rs, row) -> new RunEventLog.Entry(rs.getString(1), rs.getString(2), rs.getString(3)), tenant, runId);
        }
        return archived.isEmpty() ? summary(tenant, runId) : archived;
    }

    private List<RunEventLog.Entry> summary(String tenant, String runId) {
        Optional<RunAccepted> accepted = accepted(tenant, runId);
        if (accepted.isEmpty()) {
            return List.of();
        }
        long at = accepted.get().createdAt().toEpochMilli();
        List<RunEvent> events = new ArrayList<>();
        events.add(accepted.get());
        events.addAll(jdbc.query("""
                SELECT task_id, step, tool, status, attempts, duration_ms, cached, args, output, error FROM tool_calls
                WHERE tenant = ? AND run_id = ? AND tool <> 'model.chat' ORDER BY step, task_id
                """, (rs, row) -> new ToolResult(rs.getString("task_id"), rs.getInt("step"), rs.getString("tool"),
                        ToolStatus.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)), rs.getInt("attempts"),
                        rs.getLong("duration_ms"), rs.getBoolean("cached"), map(rs.getString("args")),
                        map(rs.getString("output")), rs.getString("error")), tenant, runId));
        run(tenant, runId).filter(StoredRun::ended).ifPresent(run -> events.add(new RunEnded(
                RunStatus.valueOf(run.status().toUpperCase(java.util.Locale.ROOT)), run.output(), run.error(), run.completedAt())));
        List<RunEventLog.Entry> entries = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            entries.add(new RunEventLog.Entry(at + "-" + i, events.get(i).eventName(), RunEvents.encode(events.get(i))));
        }
        return entries;
    }

    /** The run's {@code run.accepted} as the store can tell it; empty if the store has not seen it requested. */
    public Optional<RunAccepted> accepted(String tenant, String runId) {
        return jdbc.query("""
                SELECT run_id, conversation_id, agent, priority, correlation_id, created_at, deadline FROM runs
                WHERE tenant = ? AND run_id = ? AND created_at IS NOT NULL
                """, (rs, row) -> accepted(rs), tenant, runId).stream().findFirst();
    }

    private static RunAccepted accepted(ResultSet rs) throws SQLException {
        return new RunAccepted(rs.getString("run_id"), rs.getString("conversation_id"), rs.getString("agent"),
                priority(rs.getString("priority")), rs.getString("correlation_id"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("deadline")));
    }

    public Optional<StoredRun> run(String tenant, String runId) {
        return jdbc.query("SELECT " + RUN_COLUMNS + " FROM runs r WHERE r.tenant = ? AND r.run_id = ?",
                RunStore::storedRun, tenant, runId).stream().findFirst();
    }

    /** What {@link #list} returns: a page of runs, newest first, and the cursor of the next page (null after the last). */
    public record Page(List<StoredRun> items, String nextCursor) {
    }

    /** Which runs {@link #list} returns; null fields do not filter. */
    public record Filter(String agent, String status, String conversationId, Instant createdAfter, Instant createdBefore) {
    }

    /**
     * A tenant's runs, newest first, by keyset: the cursor is the last run of the page before, so
     * a page costs the same however deep it is and runs stored meanwhile do not shift it.
     *
     * @throws IllegalArgumentException for a cursor this method did not make
     */
    public Page list(String tenant, Filter filter, String cursor, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + RUN_COLUMNS + " FROM runs r WHERE r.tenant = ? AND r.created_at IS NOT NULL");
        List<Object> args = new ArrayList<>(List.of(tenant));
        condition(sql, args, " AND r.agent = ?", filter.agent());
        condition(sql, args, " AND r.status = ?", filter.status());
        condition(sql, args, " AND r.conversation_id = ?", filter.conversationId());
        condition(sql, args, " AND r.created_at >= ?", timestamp(filter.createdAfter()));
        condition(sql, args, " AND r.created_at < ?", timestamp(filter.createdBefore()));
        if (cursor != null) {
            Cursor after = Cursor.decode(cursor);
            sql.append(" AND (r.created_at, r.run_id) < (?, ?)");
            args.add(timestamp(after.createdAt()));
            args.add(after.runId());
        }
        sql.append(" ORDER BY r.created_at DESC, r.run_id DESC LIMIT ?");
        args.add(limit + 1);
        List<StoredRun> runs = jdbc.query(sql.toString(), RunStore::storedRun, args.toArray());
        if (runs.size() <= limit) {
            return new Page(runs, null);
        }
        StoredRun last = runs.get(limit - 1);
        return new Page(runs.subList(0, limit), new Cursor(last.createdAt(), last.runId()).encode());
    }

    /** Every tenant's runs created in {@code [from, to)}, by {@code <tenant>/<runId>}: what a replay drill compares. */
    public Map<String, StoredRun> createdBetween(Instant from, Instant to) {
        Map<String, StoredRun> runs = new java.util.LinkedHashMap<>();
        jdbc.query("SELECT r.tenant, " + RUN_COLUMNS + " FROM runs r WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at",
                rs -> {
                    runs.put(rs.getString("tenant") + "/" + rs.getString("run_id"), storedRun(rs, 0));
                }, timestamp(from), timestamp(to));
        return runs;
    }

    /** A run the store has seen accepted but not ended, as its {@code run.accepted} said. */
    public record Unfinished(String tenant, RunAccepted accepted) {
    }

    /** Runs created after {@code createdAfter} that have not ended, oldest first. */
    public List<Unfinished> unfinished(Instant createdAfter, int limit) {
        return jdbc.query("""
                SELECT tenant, run_id, conversation_id, agent, priority, correlation_id, created_at, deadline FROM runs
                WHERE completed_at IS NULL AND created_at > ? ORDER BY created_at LIMIT ?
                """, (rs, row) -> new Unfinished(rs.getString("tenant"), accepted(rs)),
                timestamp(createdAfter), limit);
    }

    /** A conversation's runs, oldest first. */
    public List<StoredRun> conversation(String tenant, String conversationId) {
        return jdbc.query("SELECT " + RUN_COLUMNS + " FROM runs r WHERE r.tenant = ? AND r.conversation_id = ? AND r.created_at IS NOT NULL "
                + "ORDER BY r.created_at, r.run_id",
                RunStore::storedRun, tenant, conversationId);
    }

    /** One run a search found: how well it matched, the field it matched best and a snippet of it with the words marked. */
    public record Hit(StoredRun run, double rank, String field, String snippet) {
    }

    /** A run the keywords matched, and how well. */
    public record Ranked(String runId, double rank) {
    }

    /**
     * How many of a tenant's newest matches are ranked: a word in most runs would otherwise rank
     * them all. Runs matching more are found among the newest this many.
     */
    static final int RANKED_MATCHES = 1_000;

    /**
     * A tenant's runs matching {@code query} (web search syntax: words, "phrases", -not, or), best
     * first: PostgreSQL's cover density over the input (weighted highest), the answer and the
     * tools' outputs, of the newest {@value #RANKED_MATCHES} matches.
     */
    public List<Ranked> rank(String tenant, String query, int limit, String excludeRunId) {
        return jdbc.query("""
                WITH q AS (SELECT websearch_to_tsquery('english', ?) AS query),
                newest AS (
                    SELECT r.run_id, r.created_at, r.search FROM runs r, q
                    WHERE r.tenant = ? AND r.search @@ q.query AND r.run_id <> ?
                    ORDER BY r.created_at DESC LIMIT ?)
                SELECT newest.run_id, ts_rank_cd(newest.search, q.query) AS rank FROM newest, q
                ORDER BY rank DESC, newest.created_at DESC LIMIT ?
                """, (rs, row) -> new Ranked(rs.getString(1), rs.getDouble(2)),
                query, tenant, excludeRunId == null ? "" : excludeRunId, RANKED_MATCHES, limit);
    }

    /** The runs the keywords found, with the field each matched best and a snippet of it with the words in {@code <mark>}; in no particular order. */
    public List<Hit> hits(String tenant, String query, List<Ranked> ranked) {
        if (ranked.isEmpty()) {
            return List.of();
        }
        Map<String, Double> ranks = new java.util.HashMap<>();
        ranked.forEach(r -> ranks.put(r.runId(), r.rank()));
        return jdbc.query("""
                WITH q AS (SELECT websearch_to_tsquery('english', ?) AS query),
                matched AS (
                    SELECT r.*, CASE
                        WHEN to_tsvector('english', coalesce(r.input_text, '')) @@ q.query THEN 'input'
                        WHEN to_tsvector('english', coalesce(r.answer_text, '')) @@ q.query THEN 'answer'
                        ELSE 'toolOutput' END AS field
                    FROM runs r, q WHERE r.tenant = ? AND r.run_id = ANY (?))
                SELECT %s, r.field, ts_headline('english',
                           CASE r.field WHEN 'input' THEN r.input_text WHEN 'answer' THEN r.answer_text ELSE r.tool_text END,
                           q.query, 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2') AS snippet
                FROM matched r, q
                """.formatted(RUN_COLUMNS),
                (rs, row) -> {
                    StoredRun run = storedRun(rs, row);
                    return new Hit(run, ranks.get(run.runId()), rs.getString("field"), rs.getString("snippet"));
                },
                query, tenant, ranked.stream().map(Ranked::runId).toArray(String[]::new));
    }

    /** {@link #rank} and {@link #hits} of the best {@code limit}, best first. */
    public List<Hit> search(String tenant, String query, int limit, String excludeRunId) {
        return hits(tenant, query, rank(tenant, query, limit, excludeRunId)).stream()
                .sorted(java.util.Comparator.comparingDouble(Hit::rank).reversed()
                        .thenComparing(hit -> hit.run().createdAt(), java.util.Comparator.reverseOrder()))
                .toList();
    }

    private record ToEmbed(String tenant, String runId, String text) {
    }

    /**
     * Embeds the next ended runs of agents searched by meaning that are not embedded yet, up to
     * {@code limit}, the last to end first: a run just ended is soon found by meaning even behind a
     * backlog, which is embedded once there is time. The runs are claimed for the transaction
     * ({@code FOR UPDATE SKIP LOCKED}), so indexers side by side embed different runs. {@code embed}
     * gets each run's text (its input and its answer) and returns their embeddings ({@link
     * Embeddings}) in order. Returns how many runs it embedded.
     */
    public int embedNext(int limit, Function<List<String>, List<byte[]>> embed) {
        return transactions.execute(status -> {
            List<ToEmbed> runs = jdbc.query("""
                    SELECT tenant, run_id, concat_ws(E'\n', input_text, answer_text) AS text FROM runs
                    WHERE completed_at IS NOT NULL AND embedding IS NULL AND embed ORDER BY completed_at DESC LIMIT ?
                    FOR UPDATE SKIP LOCKED
                    """, (rs, row) -> new ToEmbed(rs.getString("tenant"), rs.getString("run_id"), rs.getString("text")), limit);
            if (runs.isEmpty()) {
                return 0;
            }
            List<byte[]> embeddings = embed.apply(runs.stream().map(ToEmbed::text).toList());
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                rows.add(new Object[]{embeddings.get(i), runs.get(i).tenant(), runs.get(i).runId()});
            }
            // Numbered and committed one indexer at a time, so embeddings become visible in the order
            // of their numbers: a searcher that has read up to a number never misses a lower one.
            jdbc.execute("SELECT pg_advisory_xact_lock(hashtext('runs_embedded_seq'))");
            batch("UPDATE runs SET embedding = ?, embedded_seq = nextval('runs_embedded_seq') WHERE tenant = ? AND run_id = ?", rows);
            return runs.size();
        });
    }

    /** One run's embedding, and its place in the order embeddings were kept. */
    public interface EmbeddingRow {
        void accept(String runId, byte[] embedding, long seq);
    }

    /** The tenant's embeddings kept after {@code afterSeq}, in order, streamed. */
    public void embeddings(String tenant, long afterSeq, EmbeddingRow row) {
        jdbc.query("SELECT run_id, embedding, embedded_seq FROM runs WHERE tenant = ? AND embedding IS NOT NULL AND embedded_seq > ? ORDER BY embedded_seq",
                rs -> {
                    row.accept(rs.getString(1), rs.getBytes(2), rs.getLong(3));
                }, tenant, afterSeq);
    }

    /** Runs by id, in no particular order; the ids of runs that do not exist (any more) are left out. */
    public List<StoredRun> runs(String tenant, List<String> runIds) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        return jdbc.query("SELECT " + RUN_COLUMNS + " FROM runs r WHERE r.tenant = ? AND r.run_id = ANY (?)",
                RunStore::storedRun, tenant, runIds.toArray(String[]::new));
    }

    /** A tool call that succeeded: the tool and its arguments. */
    public record Call(String tool, Map<String, Object> args) {
    }

    /** The tool calls of a conversation's runs that succeeded (model calls left out). */
    public List<Call> succeededCalls(String tenant, String conversationId) {
        return jdbc.query("""
                SELECT t.tool, t.args FROM tool_calls t JOIN runs r ON r.tenant = t.tenant AND r.run_id = t.run_id
                WHERE r.tenant = ? AND r.conversation_id = ? AND t.status = 'succeeded' AND t.tool <> 'model.chat'
                """, (rs, row) -> new Call(rs.getString(1), map(rs.getString(2))), tenant, conversationId);
    }

    /** Removes a conversation's runs with their calls and archived events; returns the ids of the runs removed. */
    public List<String> eraseConversation(String tenant, String conversationId) {
        return jdbc.queryForList("DELETE FROM runs WHERE tenant = ? AND conversation_id = ? RETURNING run_id",
                String.class, tenant, conversationId);
    }

    /**
     * Removes runs created before {@code before}: of {@code tenant}, or with a null tenant of
     * every tenant not in {@code except}. Returns how many.
     */
    public int expire(String tenant, List<String> except, Instant before) {
        if (tenant != null) {
            return jdbc.update("DELETE FROM runs WHERE tenant = ? AND created_at < ?", tenant, timestamp(before));
        }
        return jdbc.update("DELETE FROM runs WHERE created_at < ? AND NOT (tenant = ANY (?))", timestamp(before),
                except.toArray(String[]::new));
    }

    private void batch(String sql, List<Object[]> rows) {
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(sql, rows);
        }
    }

    private static Object[] call(String tenant, ToolCalled call) {
        ToolOutcome outcome = call.outcome();
        long prompt = 0;
        long completion = 0;
        if (ToolTask.MODEL_CALL.equals(outcome.tool()) && outcome.output() != null
                && outcome.output().get("usage") instanceof Map<?, ?> usage) {
            prompt = usage.get("promptTokens") instanceof Number n ? n.longValue() : 0;
            completion = usage.get("completionTokens") instanceof Number n ? n.longValue() : 0;
        }
        return new Object[]{tenant, call.runId(), outcome.taskId(), call.step(), outcome.tool(),
                outcome.status().name().toLowerCase(java.util.Locale.ROOT), outcome.attempts(), outcome.durationMs(),
                outcome.cached(), json(outcome.args()), json(outcome.output()), text(outcome.error()), prompt, completion};
    }

    private static Priority priority(String wireName) {
        return wireName == null ? Priority.INTERACTIVE : Priority.valueOf(wireName.toUpperCase(java.util.Locale.ROOT));
    }

    private static void condition(StringBuilder sql, List<Object> args, String clause, Object value) {
        if (value != null) {
            sql.append(clause);
            args.add(value);
        }
    }

    @SuppressWarnings("unchecked")
    private static StoredRun storedRun(ResultSet rs, int row) throws SQLException {
        return new StoredRun(rs.getString("run_id"), rs.getString("conversation_id"), rs.getString("agent"),
                rs.getString("priority"), rs.getString("status"), map(rs.getString("input")), map(rs.getString("output")),
                rs.getString("error"), instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("completed_at")),
                rs.getInt("tool_calls"), new StoredRun.Usage(rs.getLong("prompt_tokens"), rs.getLong("completion_tokens")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String json) {
        return json == null ? null : EventCodec.mapper().readValue(json, Map.class);
    }

    /** JSON text PostgreSQL takes: {@code jsonb} refuses the NUL character, so strings lose it. */
    private static String json(Object value) {
        return value == null ? null : EventCodec.mapper().writeValueAsString(withoutNul(value));
    }

    private static Object withoutNul(Object value) {
        return switch (value) {
            case String string -> text(string);
            case Map<?, ?> map -> {
                Map<Object, Object> clean = new java.util.LinkedHashMap<>();
                map.forEach((key, item) -> clean.put(withoutNul(key), item == null ? null : withoutNul(item)));
                yield clean;
            }
            case List<?> list -> list.stream().map(item -> item == null ? null : withoutNul(item)).toList();
            default -> value;
        };
    }

    /** Text PostgreSQL takes: it refuses the NUL character, so it is dropped. */
    private static String text(String value) {
        return value == null ? null : value.replace("\u0000", "");
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** The position after a page: the last run's creation time and id, opaque to clients. */
    record Cursor(Instant createdAt, String runId) {

        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((createdAt + " " + runId).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int space = text.indexOf(' ');
                return new Cursor(Instant.parse(text.substring(0, space)), text.substring(space + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a cursor this listing gave: " + cursor, e);
            }
        }
    }
}
