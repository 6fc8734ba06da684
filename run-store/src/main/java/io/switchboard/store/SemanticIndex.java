package io.switchboard.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Search by meaning, exact: a tenant's run embeddings are kept in memory, read from the store
 * once and then only what is new (at most once a second), and a query is compared with every one
 * of them. 384 bytes a run: 100,000 runs are 38 MB and about 20 ms of a core to scan. Tenants
 * not searched for longest are dropped first once {@code maxBytes} is passed.
 */
public class SemanticIndex {

    /** Below this cosine similarity a run is not related to the query. */
    static final double MIN_SIMILARITY = 0.2;
    private static final long REFRESH_NANOS = 1_000_000_000L;

    private final RunStore store;
    private final Embeddings embeddings;
    private final long maxBytes;
    private final Map<String, TenantVectors> tenants = new LinkedHashMap<>(16, 0.75f, true);

    public SemanticIndex(RunStore store, Embeddings embeddings, long maxBytes) {
        this.store = store;
        this.embeddings = embeddings;
        this.maxBytes = maxBytes;
    }

    /** A run near the query in meaning, with its cosine similarity. */
    public record Nearest(String runId, double similarity) {
    }

    /** The tenant's runs nearest to {@code query} in meaning, best first, above {@link #MIN_SIMILARITY}. */
    public List<Nearest> nearest(String tenant, String query, int limit, String excludeRunId) {
        byte[] target = embeddings.embed(query);
        TenantVectors vectors = vectors(tenant);
        synchronized (vectors) {
            if (System.nanoTime() - vectors.refreshedAt > REFRESH_NANOS) {
                store.embeddings(tenant, vectors.lastSeq, vectors::add);
                vectors.refreshedAt = System.nanoTime();
            }
            return vectors.nearest(target, limit, excludeRunId);
        }
    }

    private TenantVectors vectors(String tenant) {
        synchronized (tenants) {
            TenantVectors vectors = tenants.computeIfAbsent(tenant, t -> new TenantVectors());
            long total = tenants.values().stream().mapToLong(TenantVectors::bytes).sum();
            var eldest = tenants.entrySet().iterator();
            while (total > maxBytes && eldest.hasNext()) {
                var entry = eldest.next();
                if (entry.getValue() != vectors) {
                    total -= entry.getValue().bytes();
                    eldest.remove();
                }
            }
            return vectors;
        }
    }

    private static final class TenantVectors {

        private String[] runIds = new String[1024];
        private byte[] vectors = new byte[1024 * Embeddings.DIMENSIONS];
        private int size;
        private long lastSeq;
        private long refreshedAt = System.nanoTime() - 2 * REFRESH_NANOS;

        void add(String runId, byte[] embedding, long seq) {
            if (size == runIds.length) {
                runIds = Arrays.copyOf(runIds, size * 2);
                vectors = Arrays.copyOf(vectors, size * 2 * Embeddings.DIMENSIONS);
            }
            runIds[size] = runId;
            System.arraycopy(embedding, 0, vectors, size * Embeddings.DIMENSIONS, Embeddings.DIMENSIONS);
            size++;
            lastSeq = seq;
        }

        long bytes() {
            return (long) runIds.length * (Embeddings.DIMENSIONS + 64);
        }

        List<Nearest> nearest(byte[] target, int limit, String excludeRunId) {
            int threshold = (int) (MIN_SIMILARITY * 127 * 127);
            PriorityQueue<int[]> best = new PriorityQueue<>(Comparator.comparingInt((int[] hit) -> hit[1]));
            for (int i = 0; i < size; i++) {
                int similarity = Embeddings.similarity(vectors, i * Embeddings.DIMENSIONS, target);
                if (similarity >= threshold && (best.size() < limit || similarity > best.peek()[1])
                        && !runIds[i].equals(excludeRunId)) {
                    best.add(new int[]{i, similarity});
                    if (best.size() > limit) {
                        best.poll();
                    }
                }
            }
            List<Nearest> nearest = new ArrayList<>();
            while (!best.isEmpty()) {
                int[] hit = best.poll();
                nearest.addFirst(new Nearest(runIds[hit[0]], hit[1] / (127.0 * 127.0)));
            }
            return nearest;
        }
    }
}
