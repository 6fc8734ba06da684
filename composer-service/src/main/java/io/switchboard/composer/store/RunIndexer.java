package io.switchboard.composer.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.store.Embeddings;
import io.switchboard.store.RunStore;
import io.switchboard.store.RunStoreProperties;
import java.util.concurrent.locks.LockSupport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Indexes ended runs for search by meaning: embeds their input and answer ({@link Embeddings}) in
 * batches, the last to end first, and keeps the vectors in the store; composers side by side embed
 * different runs ({@link RunStore#embedNext}). Behind the writer, never in its way: embedding costs
 * about 10 ms of CPU a run, more than the rest of a run's way through the platform, so the indexer
 * works at most {@code switchboard.store.semantic.duty-cycle} of the time (a quarter) and rests the
 * remainder. Under a sustained load above what that embeds, the index falls behind: the runs that
 * ended last are still found by meaning soon, those before them later (by full text at once).
 */
@Component
class RunIndexer {

    private static final int BATCH = 32;

    private final RunStore store;
    private final Embeddings embeddings;
    private final double dutyCycle;
    private final Counter indexed;

    RunIndexer(RunStore store, ObjectProvider<Embeddings> embeddings, RunStoreProperties properties, MeterRegistry meters) {
        this.store = store;
        this.embeddings = embeddings.getIfAvailable();
        this.dutyCycle = properties.semantic().dutyCycle();
        this.indexed = meters.counter("switchboard.store.embedded");
    }

    @Scheduled(initialDelay = 5_000, fixedDelayString = "${switchboard.store.semantic.interval:1s}")
    void index() {
        if (embeddings == null) {
            return;
        }
        int embedded;
        do {
            long started = System.nanoTime();
            try {
                embedded = store.embedNext(BATCH, embeddings::embedAll);
            } catch (Embeddings.Closed stopping) {
                return; // the service is stopping; the batch is embedded after its restart
            }
            if (embedded > 0) {
                indexed.increment(embedded);
                LockSupport.parkNanos((long) ((System.nanoTime() - started) * (1 / dutyCycle - 1)));
            }
        } while (embedded == BATCH);
    }
}
