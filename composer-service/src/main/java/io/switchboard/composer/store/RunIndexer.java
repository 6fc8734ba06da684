package io.switchboard.composer.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.store.Embeddings;
import io.switchboard.store.RunStore;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Indexes ended runs for search by meaning: embeds their input and answer ({@link Embeddings}) in
 * batches, in the order they ended, and keeps the vectors in the store. Behind the writer, never
 * in its way: a backlog of runs to embed only delays their semantic search (full text has them).
 */
@Component
class RunIndexer {

    private static final int BATCH = 32;

    private final RunStore store;
    private final Embeddings embeddings;
    private final Counter indexed;

    RunIndexer(RunStore store, ObjectProvider<Embeddings> embeddings, MeterRegistry meters) {
        this.store = store;
        this.embeddings = embeddings.getIfAvailable();
        this.indexed = meters.counter("switchboard.store.embedded");
    }

    @Scheduled(initialDelay = 5_000, fixedDelayString = "${switchboard.store.semantic.interval:1s}")
    void index() {
        if (embeddings == null) {
            return;
        }
        List<RunStore.ToEmbed> batch;
        do {
            batch = store.toEmbed(BATCH);
            if (!batch.isEmpty()) {
                store.embedded(batch, embeddings.embedAll(batch.stream().map(RunStore.ToEmbed::text).toList()));
                indexed.increment(batch.size());
            }
        } while (batch.size() == BATCH);
    }
}
