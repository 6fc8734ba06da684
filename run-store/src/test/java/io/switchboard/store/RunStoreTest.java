package io.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.platform.RunEventLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The store against the real PostgreSQL that {@code ./switchboard infra} starts, in a schema of its own. */
class RunStoreTest {

    static final String SCHEMA = "store_test_" + UUID.randomUUID().toString().substring(0, 8);
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static DriverManagerDataSource dataSource;
    static RunStore store;

    @BeforeAll
    static void migrate() {
        if (store != null) {
            return;
        }
        dataSource = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:5432/switchboard?currentSchema=" + SCHEMA,
                "switchboard", "switchboard");
        Flyway.configure().dataSource(dataSource).schemas(SCHEMA).load().migrate();
        store = new RunStore(new JdbcTemplate(dataSource), new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
    }

    @AfterAll
    static void drop() {
        new JdbcTemplate(dataSource).execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        store = null;
    }

    @Test
    void storesAWholeRunOnceHoweverOftenItsEventsArrive() {
        String runId = "run-" + UUID.randomUUID();
        List<RunStore.Event> events = modelRun("acme", runId, "conv-1", "What is the capital of France?", "Paris, of course.");
        store.record(events);
        store.record(events);
        store.record(List.of(events.get(2), events.get(1))); // an end redelivered before a call: nothing changes

        StoredRun run = store.run("acme", runId).orElseThrow();
        assertThat(run.status()).isEqualTo("succeeded");
        assertThat(run.agent()).isEqualTo("assistant");
        assertThat(run.priority()).isEqualTo("interactive");
        assertThat(run.input()).containsEntry("message", "What is the capital of France?");
        assertThat(run.output()).containsEntry("answer", "Paris, of course.");
        assertThat(run.toolCallCount()).isEqualTo(1);
        assertThat(run.usage()).isEqualTo(new StoredRun.Usage(40, 7));
        assertThat(run.createdAt()).isEqualTo(T0);
        assertThat(store.run("globex", runId)).isEmpty();
    }

    @Test
    void textWithANulCharacterIsStoredWithoutIt() {
        String runId = "run-" + UUID.randomUUID();
        Envelope envelope = envelope("acme", runId);
        store.record(List.of(
                new RunStore.Event(envelope, new AgentRequested(runId, "c", "research", Map.of("question", "why\u0000?"),
                        Priority.INTERACTIVE, T0)),
                new RunStore.Event(envelope, new ToolCalled(runId, "c", "research", 1, 1, true,
                        new ToolOutcome(runId + ".s1.t0", "http.fetch", 0, Map.of("url", "u"), ToolStatus.FAILED, null,
                                "bad\u0000 page", 1, 5, false), false)),
                new RunStore.Event(envelope, new AgentCompleted(runId, "c", "research", RunStatus.FAILED, null, "failed\u0000",
                        T0.plusSeconds(1)))));

        StoredRun run = store.run("acme", runId).orElseThrow();
        assertThat(run.input()).isEqualTo(Map.of("question", "why?"));
        assertThat(run.error()).isEqualTo("failed");
    }

    @Test
    void endBeforeRequestStillStoresTheRunComplete() {
        String runId = "run-" + UUID.randomUUID();
        List<RunStore.Event> events = modelRun("acme", runId, "conv-2", "hello", "hi");
        store.record(List.of(events.get(2)));
        assertThat(store.run("acme", runId).orElseThrow().status()).isEqualTo("succeeded");
        store.record(List.of(events.get(0), events.get(1)));
        StoredRun run = store.run("acme", runId).orElseThrow();
        assertThat(run.status()).isEqualTo("succeeded");
        assertThat(run.input()).containsEntry("message", "hello");
        assertThat(run.toolCallCount()).isEqualTo(1);
    }

    @Test
    void aBatchInAnyOrderStoresTheRunWholeWithItsToolsTextAndBudget() {
        String tenant = "batch-" + UUID.randomUUID();
        Envelope envelope = envelope(tenant, "r1");
        ToolCalled call = new ToolCalled("r1", "c1", "research", 1, 1, true,
                new ToolOutcome("r1.s1.t0", "http.fetch", 0, Map.of("url", "https://example.org"), ToolStatus.SUCCEEDED,
                        Map.of("text", "The fjord is deep."), null, 1, 5, false), false);
        RunStore.Budget budget = new RunStore.Budget(12, 8000, Map.of());
        List<RunEventLog.Entry> entries = List.of(new RunEventLog.Entry("1764151200125-0", "run.accepted", "{\"runId\":\"r1\"}"),
                new RunEventLog.Entry("1764151200126-0", "tool.result", "{\"b\":1,\"a\":2}"),
                new RunEventLog.Entry("1764151200127-0", "run.completed", "{\"status\":\"succeeded\"}"));
        store.record(List.of(
                new RunStore.Event(envelope, new AgentCompleted("r1", "c1", "research", RunStatus.SUCCEEDED, Map.of("digest", "read"), null,
                        T0.plusSeconds(1))),
                new RunStore.Event(envelope, call),
                new RunStore.Event(envelope, new AgentRequested("r1", "c1", "research", Map.of("urls", List.of("https://example.org")),
                        Priority.BACKGROUND, T0))), List.of(new RunStore.Ended(tenant, "r1", entries, budget)));
        store.record(List.of(new RunStore.Event(envelope, call))); // a call redelivered after the end changes nothing

        StoredRun run = store.run(tenant, "r1").orElseThrow();
        assertThat(run.status()).isEqualTo("succeeded");
        assertThat(run.priority()).isEqualTo("background");
        assertThat(run.createdAt()).isEqualTo(T0);
        assertThat(run.completedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(run.output()).isEqualTo(Map.of("digest", "read"));
        assertThat(run.toolCallCount()).isEqualTo(1);
        assertThat(store.budget(tenant, "r1")).hasValue(budget);
        assertThat(store.events(tenant, "r1")).isEqualTo(entries);
        assertThat(store.search(tenant, "fjord", 10, null)).singleElement()
                .satisfies(hit -> assertThat(hit.field()).isEqualTo("toolOutput"));

        Envelope second = envelope(tenant, "r2");
        store.record(List.of(new RunStore.Event(second, new AgentRequested("r2", "c2", "research", Map.of(), Priority.INTERACTIVE, T0))));
        assertThat(store.run(tenant, "r2").orElseThrow().status()).isEqualTo("accepted");
        store.record(List.of(new RunStore.Event(second, new ToolCalled("r2", "c2", "research", 1, 2, false,
                new ToolOutcome("r2.s1.t0", "http.fetch", 0, Map.of(), ToolStatus.SUCCEEDED, Map.of(), null, 1, 5, false), false))));
        assertThat(store.run(tenant, "r2").orElseThrow()).satisfies(stored -> {
            assertThat(stored.status()).isEqualTo("running");
            assertThat(stored.input()).isEqualTo(Map.of());
            assertThat(stored.createdAt()).isEqualTo(T0);
        });
    }

    @Test
    void listsNewestFirstByKeysetAndFilters() {
        String tenant = "lister-" + UUID.randomUUID();
        List<RunStore.Event> events = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            events.addAll(modelRun(tenant, "run-%02d".formatted(i), i % 2 == 0 ? "even" : "odd", "question " + i, "answer " + i,
                    T0.plusSeconds(i)));
        }
        store.record(events);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RunStore.Page page = store.list(tenant, new RunStore.Filter(null, null, null, null, null), cursor, 10);
            page.items().forEach(run -> seen.add(run.runId()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(25).doesNotHaveDuplicates().startsWith("run-24", "run-23").endsWith("run-00");

        RunStore.Page odd = store.list(tenant, new RunStore.Filter("assistant", "succeeded", "odd", T0.plusSeconds(5),
                T0.plusSeconds(11)), null, 50);
        assertThat(odd.items()).extracting(StoredRun::runId).containsExactly("run-09", "run-07", "run-05");
        assertThat(odd.nextCursor()).isNull();
        assertThat(store.list("nobody", new RunStore.Filter(null, null, null, null, null), null, 10).items()).isEmpty();
        assertThatThrownBy(() -> store.list(tenant, new RunStore.Filter(null, null, null, null, null), "not-a-cursor", 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void searchesInputAnswerAndToolOutputsOfOneTenant() {
        String tenant = "searcher-" + UUID.randomUUID();
        store.record(modelRun(tenant, "r-volcano", "c1", "Tell me about volcanoes in Iceland", "Iceland has about 30 active volcanic systems."));
        store.record(modelRun(tenant, "r-pasta", "c2", "How long to cook pasta?", "Boil it for about ten minutes."));
        store.record(modelRun("other-" + tenant, "r-other", "c3", "volcanoes", "Lava."));
        Envelope envelope = envelope(tenant, "r-tool");
        store.record(List.of(
                new RunStore.Event(envelope, new AgentRequested("r-tool", "c4", "research", Map.of("urls", List.of("https://example.org")),
                        Priority.INTERACTIVE, T0)),
                new RunStore.Event(envelope, new ToolCalled("r-tool", "c4", "research", 1, 1, true,
                        new ToolOutcome("r-tool.s1.t0", "http.fetch", 0, Map.of("url", "https://example.org"), ToolStatus.SUCCEEDED,
                                Map.of("text", "The glacier Vatnajokull covers eight percent of the country."), null, 1, 5, false), false)),
                new RunStore.Event(envelope, new AgentCompleted("r-tool", "c4", "research", RunStatus.SUCCEEDED,
                        Map.of("digest", "one page read"), null, T0.plusSeconds(1)))));

        List<RunStore.Hit> volcano = store.search(tenant, "volcano", 10, null);
        assertThat(volcano).extracting(hit -> hit.run().runId()).containsExactly("r-volcano");
        assertThat(volcano.getFirst().field()).isEqualTo("input");
        assertThat(volcano.getFirst().snippet()).contains("<mark>volcanoes</mark>");

        assertThat(store.search(tenant, "boil", 10, null)).singleElement()
                .satisfies(hit -> assertThat(hit.field()).isEqualTo("answer"));
        assertThat(store.search(tenant, "glacier", 10, null)).singleElement()
                .satisfies(hit -> assertThat(hit.field()).isEqualTo("toolOutput"));
        assertThat(store.search(tenant, "volcano", 10, "r-volcano")).isEmpty();
        assertThat(store.search(tenant, "\"pasta\" -volcano", 10, null)).extracting(hit -> hit.run().runId()).containsExactly("r-pasta");
    }

    @Test
    void archivesTheStreamAsWrittenAndErasesAConversation() {
        String tenant = "eraser-" + UUID.randomUUID();
        List<RunEventLog.Entry> entries = List.of(new RunEventLog.Entry("1764151200125-0", "run.accepted", "{\"runId\":\"r2\",\"b\":1,\"a\":2}"),
                new RunEventLog.Entry("1764151200126-0", "run.completed", "{\"status\":\"succeeded\"}"));
        RunStore.Budget budget = new RunStore.Budget(447, 8000, Map.of("gpt-4o-mini:prompt", "400", "gpt-4o-mini:completion", "47"));
        store.record(modelRun(tenant, "r1", "keep", "a", "b"));
        store.record(modelRun(tenant, "r2", "forget", "c", "d"), List.of(new RunStore.Ended(tenant, "r2", entries, budget)));
        store.record(modelRun(tenant, "r3", "forget", "e", "f"));
        store.archive(List.of(new RunStore.Ended(tenant, "r2", entries, budget))); // archived again: kept as it was
        assertThat(store.events(tenant, "r2")).isEqualTo(entries);
        assertThat(store.budget(tenant, "r2")).hasValue(budget);
        assertThat(store.budget(tenant, "r1")).isEmpty();

        // r1's stream was archived a row per entry, as before run_streams: still read from there.
        for (int position : new int[]{1, 0}) {
            new JdbcTemplate(dataSource).update("INSERT INTO run_events (tenant, run_id, position, entry_id, name, data) VALUES (?, 'r1', ?, ?, ?, ?)",
                    tenant, position, entries.get(position).id(), entries.get(position).name(), entries.get(position).data());
        }
        assertThat(store.events(tenant, "r1")).isEqualTo(entries);

        // r3's stream was never archived (Redis lost it first): the store tells what it knows.
        assertThat(store.events(tenant, "r3")).extracting(RunEventLog.Entry::name).containsExactly("run.accepted", "run.completed");
        assertThat(store.events(tenant, "r3").getFirst().data()).contains("\"runId\":\"r3\"", "\"correlationId\":\"corr-r3\"");

        assertThat(store.eraseConversation(tenant, "forget")).containsExactlyInAnyOrder("r2", "r3");
        assertThat(store.events(tenant, "r2")).isEmpty();
        assertThat(store.conversation(tenant, "forget")).isEmpty();
        assertThat(store.conversation(tenant, "keep")).extracting(StoredRun::runId).containsExactly("r1");
    }

    @Test
    void expiresRunsPastTheirTenantsRetention() {
        String tenant = "old-" + UUID.randomUUID();
        store.record(modelRun(tenant, "old", "c", "a", "b", T0.minusSeconds(3600)));
        store.record(modelRun(tenant, "new", "c", "a", "b", T0));
        assertThat(store.expire(tenant, List.of(), T0.minusSeconds(60))).isEqualTo(1);
        assertThat(store.conversation(tenant, "c")).extracting(StoredRun::runId).containsExactly("new");

        String kept = "kept-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        store.record(modelRun(kept, "ancient", "c", "a", "b", T0.minusSeconds(3 * 3600)));
        store.record(modelRun(other, "ancient", "c", "a", "b", T0.minusSeconds(3 * 3600)));
        assertThat(store.expire(null, List.of(kept), T0.minusSeconds(2 * 3600))).isEqualTo(1);
        assertThat(store.run(kept, "ancient")).isPresent();
        assertThat(store.run(other, "ancient")).isEmpty();
    }

    static List<RunStore.Event> modelRun(String tenant, String runId, String conversationId, String message, String answer) {
        return modelRun(tenant, runId, conversationId, message, answer, T0);
    }

    static List<RunStore.Event> modelRun(String tenant, String runId, String conversationId, String message, String answer,
                                         Instant createdAt) {
        return run(tenant, runId, conversationId, "assistant", message, answer, createdAt);
    }

    /** A run of {@code agent} in a conversation of its own that was asked {@code message} and answered {@code answer}. */
    static List<RunStore.Event> run(String tenant, String runId, String agent, String message, String answer) {
        return run(tenant, runId, "c-" + runId, agent, message, answer, T0);
    }

    private static List<RunStore.Event> run(String tenant, String runId, String conversationId, String agent, String message,
                                            String answer, Instant createdAt) {
        Envelope envelope = envelope(tenant, runId);
        return List.of(
                new RunStore.Event(envelope, new AgentRequested(runId, conversationId, agent, Map.of("message", message),
                        Priority.INTERACTIVE, createdAt)),
                new RunStore.Event(envelope, new ToolCalled(runId, conversationId, agent, 1, 1, false,
                        new ToolOutcome(runId + ".s1.t0", "model.chat", 0, Map.of(), ToolStatus.SUCCEEDED,
                                Map.of("content", answer, "usage", Map.of("promptTokens", 40, "completionTokens", 7)), null, 1, 500, false),
                        true)),
                new RunStore.Event(envelope, new AgentCompleted(runId, conversationId, agent, RunStatus.SUCCEEDED,
                        Map.of("answer", answer, "model", "scripted"), null, createdAt.plusSeconds(1))));
    }

    static Envelope envelope(String tenant, String runId) {
        return Envelope.origin("e-" + runId, "test", AgentRequested.class, tenant, "corr-" + runId, runId);
    }
}
