package io.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.platform.agents.AgentCatalog;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
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
        List<RunStore.ToEmbed> toEmbed;
        while (!(toEmbed = store.toEmbed(32)).isEmpty()) {
            store.embedded(toEmbed, EMBEDDINGS.embedAll(toEmbed.stream().map(RunStore.ToEmbed::text).toList()));
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

        assertThat(store.toEmbed(10_000)).filteredOn(run -> run.tenant().equals(tenant)).extracting(RunStore.ToEmbed::runId)
                .containsExactly("r-last", "r-between", "r-before");
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

        assertThat(store.toEmbed(10_000)).filteredOn(run -> run.tenant().equals(tenant)).extracting(RunStore.ToEmbed::runId)
                .containsExactly("r-chat");
        assertThat(new RunSearch(store, null).search(tenant, "seventeen", 10, null)).extracting(hit -> hit.run().runId())
                .containsExactlyInAnyOrder("r-sum", "r-chat");
    }
}
