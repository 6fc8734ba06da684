package io.switchboard.bench;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.platform.RunEventLog;
import io.switchboard.store.Embeddings;
import io.switchboard.store.RunSearch;
import io.switchboard.store.RunStore;
import io.switchboard.store.SemanticIndex;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The run store's benchmark ({@code bench-exec.jar store}), in a schema of its own on the local
 * PostgreSQL, dropped at the end: writes runs as the writer does (a model call, a tool call, the
 * end and the archived stream of each, 500 runs per transaction), then lists and searches them.
 * The texts are Zipf-distributed words: the most frequent are English stop words, as in real
 * text (the index leaves them out), the rest made up, so the full-text index sees a natural spread
 * of rare and common words; queries are 1 or 2 of the made-up words, drawn by the same frequencies. Embeddings: the real model's throughput is measured on real
 * texts, while the stored vectors are random unit vectors (embedding 110,000 runs would take most
 * of an hour of CPU here); the exact scan costs the same whatever the vectors hold, and every query
 * is embedded by the real model.
 */
final class StoreBenchmark {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/switchboard";
    private static final int POLL = 500;
    private static final int QUERIES = 400;

    private static final List<String> STOP_WORDS = List.of("the", "of", "and", "to", "a", "in", "is", "it", "that", "for",
            "was", "on", "are", "as", "with", "they", "be", "at", "this", "have", "from", "or", "by", "but", "not", "what",
            "all", "were", "we", "when", "your", "can", "there", "an", "which", "their", "if", "do", "will", "each", "about",
            "how", "up", "out", "them", "then", "she", "many", "some", "so", "these", "would", "other", "into", "has", "more",
            "her", "two", "like", "him");

    private final Random random = new Random(42);
    private final List<String> vocabulary = new ArrayList<>();
    private final double[] zipf;

    private StoreBenchmark() {
        String[] syllables = {"ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "an", "qui", "bre", "stu", "pha", "gor", "ni",
                "el", "tra", "mon", "zu", "fi"};
        for (String a : syllables) {
            for (String b : syllables) {
                for (String c : new String[]{"", "s", "th", "n", "x", "ly", "ra", "ge"}) {
                    vocabulary.add(a + b + c);
                }
            }
        }
        java.util.Collections.shuffle(vocabulary, random);
        vocabulary.addAll(0, STOP_WORDS);
        zipf = new double[vocabulary.size()];
        double total = 0;
        for (int i = 0; i < zipf.length; i++) {
            total += 1.0 / (i + 1);
            zipf[i] = total;
        }
        for (int i = 0; i < zipf.length; i++) {
            zipf[i] /= total;
        }
    }

    static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            String[] pair = arg.replaceFirst("^--", "").split("=", 2);
            options.put(pair[0], pair.length > 1 ? pair[1] : "true");
        }
        int big = Integer.parseInt(options.getOrDefault("runs", "100000"));
        int small = Integer.parseInt(options.getOrDefault("other-runs", "10000"));
        System.out.println(new StoreBenchmark().run(big, small));
    }

    private String run(int bigRuns, int smallRuns) {
        String schema = "bench_store_" + System.currentTimeMillis();
        SingleConnectionDataSource dataSource = new SingleConnectionDataSource(URL + "?currentSchema=" + schema,
                "switchboard", "switchboard", true);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        StringBuilder report = new StringBuilder("## Run store\n\n");
        try {
            Flyway.configure().dataSource(dataSource).schemas(schema).load().migrate();
            RunStore store = new RunStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
            Embeddings embeddings = new Embeddings();

            Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
            Write big = write(store, "tenant-big", bigRuns, t0);
            Write other = write(store, "tenant-small", smallRuns, t0);
            long rows = bigRuns + smallRuns;
            long bytes = jdbc.queryForObject("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'm')",
                    Long.class, schema);
            report.append("PostgreSQL ").append(jdbc.queryForObject("SHOW server_version", String.class))
                    .append(", the writer in this JVM over one connection. ").append(POLL)
                    .append(" runs per transaction, each with its request, a model call with usage, a tool call, its end and 7 archived stream entries (4 Kafka events).\n\n")
                    .append("| figure | ").append(bigRuns).append(" runs (tenant-big) | ").append(smallRuns).append(" runs (tenant-small) |\n|---|---|---|\n")
                    .append(row("write: runs/s", "%.0f".formatted(big.perSecond()), "%.0f".formatted(other.perSecond())))
                    .append(row("write: CPU per run, writer JVM + PostgreSQL (ms)", "%.3f (%.3f + %.3f)".formatted(big.cpuPerRun(), big.jvmPerRun(),
                                    big.postgresPerRun()),
                            "%.3f (%.3f + %.3f)".formatted(other.cpuPerRun(), other.jvmPerRun(), other.postgresPerRun())));

            int[] vectors = {0};
            long embedStart = System.nanoTime();
            List<String> sample = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                sample.add(text(12) + "\n" + text(40));
            }
            for (int i = 0; i < sample.size(); i += 32) {
                embeddings.embedAll(sample.subList(i, i + 32));
            }
            double embedPerRun = (System.nanoTime() - embedStart) / 1e6 / sample.size();
            randomVectors(store);
            vectors[0] = jdbc.queryForObject("SELECT count(*) FROM runs WHERE embedding IS NOT NULL", Integer.class);
            long embeddedBytes = jdbc.queryForObject("SELECT sum(pg_column_size(embedding)) FROM runs", Long.class);
            report.append(row("storage per run: tables and indexes (bytes)", "%d over both tenants".formatted(bytes / rows), ""))
                    .append(row("storage per run: its embedding (bytes)", "%d".formatted(embeddedBytes / Math.max(1, vectors[0])), ""))
                    .append(row("embedding a run (input + answer, batches of 32, one core; ms)", "%.1f".formatted(embedPerRun), ""));

            SemanticIndex meaning = new SemanticIndex(store, embeddings, 512L << 20);
            RunSearch search = new RunSearch(store, meaning);
            for (String tenant : List.of("tenant-big", "tenant-small")) { // warm: JIT, first read of the vectors
                for (int i = 0; i < 30; i++) {
                    store.list(tenant, new RunStore.Filter(null, null, null, null, null), null, 20);
                    store.search(tenant, query(), 10, null);
                    search.search(tenant, query(), 10, null);
                }
            }
            IntFunction<String> none = i -> null;
            report.append(row("list, newest 20 (ms p50 / p99)", latency(() -> store.list("tenant-big", filter(none), null, 20)),
                            latency(() -> store.list("tenant-small", filter(none), null, 20))))
                    .append(row("list, filtered by agent, status and a day, 20 (ms p50 / p99)",
                            latency(() -> store.list("tenant-big", filter(i -> "x"), null, 20)),
                            latency(() -> store.list("tenant-small", filter(i -> "x"), null, 20))))
                    .append(row("list, the 20 runs 5,000 deep, by cursor (ms p50 / p99)",
                            latency(cursorAt(store, "tenant-big", 5_000)), latency(cursorAt(store, "tenant-small", 5_000))))
                    .append(row("full text, 1–2 words, best 10 (ms p50 / p99)", latency(() -> store.search("tenant-big", query(), 10, null)),
                            latency(() -> store.search("tenant-small", query(), 10, null))))
                    .append(row("embedding the query (ms p50 / p99)", latency(() -> embeddings.embed(query())), ""))
                    .append(row("meaning, exact scan with the query's embedding, best 10 (ms p50 / p99)",
                            latency(() -> meaning.nearest("tenant-big", query(), 10, null)),
                            latency(() -> meaning.nearest("tenant-small", query(), 10, null))))
                    .append(row("search, both fused (`GET /v1/search`'s work; ms p50 / p99)", latency(() -> search.search("tenant-big", query(), 10, null)),
                            latency(() -> search.search("tenant-small", query(), 10, null))));
            report.append("\nLatencies over ").append(QUERIES).append(" queries each, after 30 unmeasured ones; the meaning rows include embedding the query.\n");
            return report.toString();
        } finally {
            jdbc.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            dataSource.destroy();
        }
    }

    private record Write(int runs, long nanos, double jvmCpuMs, double postgresCpuMs) {

        double perSecond() {
            return runs / (nanos / 1e9);
        }

        double jvmPerRun() {
            return jvmCpuMs / runs;
        }

        double postgresPerRun() {
            return postgresCpuMs / runs;
        }

        double cpuPerRun() {
            return jvmPerRun() + postgresPerRun();
        }
    }

    private Write write(RunStore store, String tenant, int runs, Instant t0) {
        var threads = ManagementFactory.getThreadMXBean();
        double postgresBefore = postgresCpuMs();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int first = 0; first < runs; first += POLL) {
            List<RunStore.Event> events = new ArrayList<>();
            List<RunStore.Ended> streams = new ArrayList<>();
            for (int n = first; n < Math.min(runs, first + POLL); n++) {
                String runId = tenant + "-run-" + n;
                String conversation = "conv-" + (n / 3);
                Instant created = t0.plusSeconds(n * 30L);
                Envelope envelope = Envelope.origin("e-" + runId, "bench", AgentRequested.class, tenant, "corr-" + runId, runId);
                String agent = n % 4 == 0 ? "researcher" : "assistant";
                String question = text(8 + random.nextInt(12));
                String answer = text(20 + random.nextInt(40));
                events.add(new RunStore.Event(envelope, new AgentRequested(runId, conversation, agent, Map.of("message", question),
                        Priority.INTERACTIVE, created, null, List.of(), created.plusSeconds(180))));
                events.add(new RunStore.Event(envelope, new ToolCalled(runId, conversation, agent, 1, 1, false,
                        new ToolOutcome(runId + ".s1.t0", "model.chat", 0, Map.of(), ToolStatus.SUCCEEDED,
                                Map.of("content", "", "usage", Map.of("promptTokens", 400, "completionTokens", 40)), null, 1, 500, false), true)));
                events.add(new RunStore.Event(envelope, new ToolCalled(runId, conversation, agent, 2, 1, false,
                        new ToolOutcome(runId + ".s2.t0", "http.fetch", 0, Map.of("url", "https://example.org/" + n), ToolStatus.SUCCEEDED,
                                Map.of("url", "https://example.org/" + n, "text", text(40)), null, 1, 80, false), true)));
                RunStatus status = n % 10 == 0 ? RunStatus.FAILED : RunStatus.SUCCEEDED;
                events.add(new RunStore.Event(envelope, new AgentCompleted(runId, conversation, agent, status,
                        status == RunStatus.FAILED ? null : Map.of("answer", answer, "model", "scripted"),
                        status == RunStatus.FAILED ? "the model gave up" : null, created.plusSeconds(3))));
                List<RunEventLog.Entry> entries = new ArrayList<>();
                for (int e = 0; e < 7; e++) {
                    entries.add(new RunEventLog.Entry(created.toEpochMilli() + e + "-0", e == 6 ? "run.completed" : "message.delta",
                            "{\"step\":1,\"attempt\":1,\"text\":\"" + text(6) + "\"}"));
                }
                streams.add(new RunStore.Ended(tenant, runId, entries,
                        new RunStore.Budget(440, 8000, Map.of("scripted:prompt", "400", "scripted:completion", "40"))));
            }
            store.record(events, streams);
        }
        long nanos = System.nanoTime() - start;
        return new Write(runs, nanos, (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e6, postgresCpuMs() - postgresBefore);
    }

    /** Random unit vectors for every run, as the indexer would store them. */
    private void randomVectors(RunStore store) {
        while (store.embedNext(2_000, texts -> texts.stream().map(text -> randomVector()).toList()) > 0) {
            // until every run has a vector
        }
    }

    private byte[] randomVector() {
        byte[] vector = new byte[Embeddings.DIMENSIONS];
        double norm = 0;
        double[] raw = new double[Embeddings.DIMENSIONS];
        for (int d = 0; d < raw.length; d++) {
            raw[d] = random.nextGaussian();
            norm += raw[d] * raw[d];
        }
        for (int d = 0; d < raw.length; d++) {
            vector[d] = (byte) Math.round(raw[d] / Math.sqrt(norm) * 127);
        }
        return vector;
    }

    private static double postgresCpuMs() {
        return ProcessUsage.sample().getOrDefault("postgres", new ProcessUsage.Usage(0, 0)).cpuSeconds() * 1000;
    }

    private RunStore.Filter filter(IntFunction<String> on) {
        if (on.apply(0) == null) {
            return new RunStore.Filter(null, null, null, null, null);
        }
        Instant day = Instant.parse("2026-06-01T00:00:00Z").plus(Duration.ofDays(random.nextInt(30)));
        return new RunStore.Filter("assistant", "succeeded", null, day, day.plus(Duration.ofDays(1)));
    }

    /** A list query for the page {@code depth} runs deep, reached by following the cursors. */
    private static Supplier<Object> cursorAt(RunStore store, String tenant, int depth) {
        RunStore.Filter all = new RunStore.Filter(null, null, null, null, null);
        String cursor = null;
        for (int seen = 0; seen < depth; seen += 100) {
            cursor = store.list(tenant, all, cursor, 100).nextCursor();
        }
        String deep = cursor;
        return () -> store.list(tenant, all, deep, 20);
    }

    private String latency(Supplier<Object> query) {
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        for (int i = 0; i < QUERIES; i++) {
            long start = System.nanoTime();
            query.get();
            histogram.recordValue(System.nanoTime() - start);
        }
        return String.format(Locale.ROOT, "%.2f / %.2f", histogram.getValueAtPercentile(50) / 1e6,
                histogram.getValueAtPercentile(99) / 1e6);
    }

    private String query() {
        return random.nextBoolean() ? contentWord() : contentWord() + " " + contentWord();
    }

    private String contentWord() {
        String word;
        do {
            word = word();
        } while (STOP_WORDS.contains(word));
        return word;
    }

    private String word() {
        double draw = random.nextDouble();
        int index = java.util.Arrays.binarySearch(zipf, draw);
        return vocabulary.get(Math.min(vocabulary.size() - 1, index < 0 ? -index - 1 : index));
    }

    private String text(int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(i == 0 ? "" : " ").append(word());
        }
        return text.append('.').toString();
    }

    private static String row(String figure, String big, String small) {
        return "| " + figure + " | " + big + " | " + small + " |\n";
    }
}
