package io.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.platform.agents.AgentCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Search by meaning with the real embedding model, over the real PostgreSQL. */
class SemanticSearchTest {

    static final Embeddings EMBEDDINGS = new Embeddings();

    @BeforeAll
    static void migrate() {
        RunStoreTest.migrate();
    }

    @AfterAll
    static void drop() {
        RunStoreTest.drop();
    }

    @Test
    void findsRunsByMeaningAndFusesThemWithTheKeywordMatches() {
        String tenant = "meaning-" + UUID.randomUUID();
        RunStore store = RunStoreTest.store;
        store.record(RunStoreTest.modelRun(tenant, "r-umbrella", "c", "The umbrella is kept in the hall cupboard", "Noted."));
        store.record(RunStoreTest.modelRun(tenant, "r-pasta", "c", "How long do I boil spaghetti?", "About ten minutes."));
        store.record(RunStoreTest.modelRun(tenant, "r-volcano", "c", "Which volcano erupted in Iceland?", "Eyjafjallajokull in 2010."));
        store.record(RunStoreTest.modelRun("other-" + tenant, "r-other", "c", "Where is my umbrella?", "In the car."));
        while (store.embedNext(32, EMBEDDINGS::embedAll) > 0) {
            // until every ended run is embedded
        }
        SemanticIndex index = new SemanticIndex(store, EMBEDDINGS, 1 << 20);

        List<SemanticIndex.Nearest> rain = index.nearest(tenant, "where did I leave my rain gear", 10, null);
        assertThat(rain).extracting(SemanticIndex.Nearest::runId).startsWith("r-umbrella").doesNotContain("r-other");
        assertThat(index.nearest(tenant, "cooking noodles", 10, null)).extracting(SemanticIndex.Nearest::runId)
                .startsWith("r-pasta").doesNotContain("r-volcano");
        assertThat(index.nearest(tenant, "where did I leave my rain gear", 10, "r-umbrella"))
                .extracting(SemanticIndex.Nearest::runId).doesNotContain("r-umbrella");

        List<RunSearch.Hit> hits = new RunSearch(store, index).search(tenant, "volcano eruption", 10, null);
        assertThat(hits.getFirst().run().runId()).isEqualTo("r-volcano");
        assertThat(hits.getFirst().foundBy()).containsExactly("keywords", "meaning");
        assertThat(hits.getFirst().snippet()).contains("<mark>volcano</mark>");
        assertThat(new RunSearch(store, index).search(tenant, "where did I leave my rain gear", 10, null))
                .filteredOn(hit -> hit.run().runId().equals("r-umbrella")).singleElement()
                .satisfies(hit -> {
                    assertThat(hit.foundBy()).containsExactly("meaning");
                    assertThat(hit.matched()).isEqualTo("answer");
                });

        new JdbcTemplate(RunStoreTest.dataSource).update("DELETE FROM runs WHERE tenant = ? AND run_id = 'r-umbrella'", tenant);
        assertThat(new RunSearch(store, index).search(tenant, "where did I leave my rain gear", 10, null))
                .extracting(hit -> hit.run().runId()).doesNotContain("r-umbrella");
    }

    @Test
    void theRunsThatEndedLastAreEmbeddedFirstSoThatABacklogDoesNotHoldThemUp() {
        String tenant = "backlog-" + UUID.randomUUID();
        RunStore store = RunStoreTest.store;
        Instant start = Instant.now();
        store.record(RunStoreTest.modelRun(tenant, "r-before", "c", "An old question", "An old answer", start.minusSeconds(60)));
        store.record(RunStoreTest.modelRun(tenant, "r-last", "c", "A new question", "A new answer", start));
        store.record(RunStoreTest.modelRun(tenant, "r-between", "c", "A question", "An answer", start.minusSeconds(30)));

        List<String> embedded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            store.embedNext(1, texts -> {
                embedded.addAll(texts);
                return EMBEDDINGS.embedAll(texts);
            });
        }
        assertThat(embedded).containsExactly("A new question\nA new answer", "A question\nAn answer", "An old question\nAn old answer");
    }

    @Test
    void indexersSideBySideEmbedDifferentRuns() throws Exception {
        String tenant = "side-by-side-" + UUID.randomUUID();
        RunStore store = RunStoreTest.store;
        Instant start = Instant.now().plusSeconds(60);
        for (int i = 0; i < 4; i++) {
            store.record(RunStoreTest.modelRun(tenant, "r-" + i, "c", "Question " + i, "Answer " + i, start.plusSeconds(i)));
        }
        CountDownLatch firstClaimed = new CountDownLatch(1);
        CountDownLatch secondDone = new CountDownLatch(1);
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();

        CompletableFuture<Integer> firstIndexer = CompletableFuture.supplyAsync(() -> store.embedNext(2, texts -> {
            first.addAll(texts);
            firstClaimed.countDown();
            await(secondDone);
            return EMBEDDINGS.embedAll(texts);
        }));
        await(firstClaimed);
        int secondEmbedded = store.embedNext(2, texts -> {
            second.addAll(texts);
            return EMBEDDINGS.embedAll(texts);
        });
        secondDone.countDown();

        assertThat(firstIndexer.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(secondEmbedded).isEqualTo(2);
        assertThat(first).containsExactly("Question 3\nAnswer 3", "Question 2\nAnswer 2");
        assertThat(second).containsExactly("Question 1\nAnswer 1", "Question 0\nAnswer 0");
        assertThat(new JdbcTemplate(RunStoreTest.dataSource).queryForObject(
                "SELECT count(*) FROM runs WHERE tenant = ? AND embedding IS NOT NULL", Integer.class, tenant)).isEqualTo(4);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void runsOfAnAgentNotSearchedByMeaningAreNotEmbeddedButFoundByTheirWords() {
        String tenant = "numbers-" + UUID.randomUUID();
        AgentCatalog catalog = AgentCatalog.readDefault();
        RunStore store = new RunStore(new JdbcTemplate(RunStoreTest.dataSource), new TransactionTemplate(
                new DataSourceTransactionManager(RunStoreTest.dataSource)), catalog::searchedByMeaning);
        assertThat(catalog.searchedByMeaning("calculator")).isFalse();
        assertThat(catalog.searchedByMeaning("assistant")).isTrue();
        assertThat(catalog.searchedByMeaning("a-tenants-own-agent")).isTrue();

        store.record(RunStoreTest.run(tenant, "r-sum", "calculator", "seventeen plus twenty-five", "42"));
        store.record(RunStoreTest.run(tenant, "r-chat", "assistant", "What is seventeen plus twenty-five?", "42"));

        while (store.embedNext(32, EMBEDDINGS::embedAll) > 0) {
            // until none is left to embed
        }
        assertThat(new JdbcTemplate(RunStoreTest.dataSource).queryForList(
                "SELECT run_id FROM runs WHERE tenant = ? AND embedding IS NOT NULL", String.class, tenant)).containsExactly("r-chat");
        assertThat(new RunSearch(store, null).search(tenant, "seventeen", 10, null)).extracting(hit -> hit.run().runId())
                .containsExactlyInAnyOrder("r-sum", "r-chat");
    }
}
