package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.bench.stack.Platform;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;

/**
 * The run-creation rate limit under contention ({@code ./switchboard bench tenancy}, tag
 * {@code benchmark}, build profile {@code bench}): two gateways share
 * one limit in Redis while 32 clients hammer them alternately for one tenant with a small limit,
 * and a second tenant sends a steady trickle under its own. The admitted requests' server times
 * come from the tenant's sorted set in Redis, read while the load runs (every entry stays there a
 * whole window, so none is missed). From them: the most admitted in any sliding window (over the
 * limit would be over-admission), and the admissions against the most the limit allows in the
 * elapsed time, {@code limit x (floor(elapsed / window) + 1)} (under-admission). Only gateways
 * run: an accepted run is in Kafka's {@code agent.requested}, and nothing needs to execute it.
 */
@Tag("benchmark")
class RateLimitBenchmarkTest {

    private static final String BURST = "burst";
    private static final String STEADY = "steady";
    private static final int BURST_RUNS = 20;
    private static final int STEADY_RUNS = 10;
    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration STEADY_INTERVAL = Duration.ofMillis(500);
    private static final Duration LOAD = Duration.ofSeconds(25);
    private static final int CLIENTS = 32;
    private static final String RUN = "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}, \"priority\": \"background\"}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void twoGatewaysAdmitNoMoreThanTheLimitInAnyWindowAndHardlyLess() throws Exception {
        List<String> arguments = new ArrayList<>();
        arguments.addAll(tenant(BURST, BURST_RUNS));
        arguments.addAll(tenant(STEADY, STEADY_RUNS));
        LettuceConnectionFactory connections = new LettuceConnectionFactory("127.0.0.1", 6379);
        connections.afterPropertiesSet();
        connections.start();
        StringRedisTemplate redis = new StringRedisTemplate(connections);
        redis.delete(List.of(key(BURST), key(STEADY)));

        try (Platform platform = TestPlatform.create().startGateways(TestPlatform.GATEWAY_PORT, arguments, 2)) {
            List<Integer> ports = platform.names().stream().map(platform::port).toList();
            warmUp(ports);
            redis.delete(List.of(key(BURST), key(STEADY)));

            Map<String, Long> admittedAt = new ConcurrentHashMap<>();
            AtomicLongArray admittedBy = new AtomicLongArray(ports.size());
            AtomicLong refused = new AtomicLong();
            AtomicLong refusedWithoutRetryAfter = new AtomicLong();
            AtomicLong otherAnswers = new AtomicLong();
            AtomicLong steadySent = new AtomicLong();
            AtomicLong steadyAdmitted = new AtomicLong();
            AtomicLong steadyRefused = new AtomicLong();
            long start = serverMicros(redis);
            long deadline = System.nanoTime() + LOAD.toNanos();

            List<Thread> load = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                load.add(Thread.ofVirtual().start(() -> {
                    for (long i = client; System.nanoTime() < deadline; i++) {
                        int gateway = (int) (i % ports.size());
                        HttpResponse<String> response = post(ports.get(gateway), BURST);
                        if (response == null) {
                            otherAnswers.incrementAndGet();
                        } else if (response.statusCode() == 202) {
                            admittedBy.incrementAndGet(gateway);
                        } else if (response.statusCode() == 429) {
                            refused.incrementAndGet();
                            if (response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L) < 1) {
                                refusedWithoutRetryAfter.incrementAndGet();
                            }
                        } else {
                            otherAnswers.incrementAndGet();
                        }
                    }
                }));
            }
            // the steady tenant's requests, one every STEADY_INTERVAL; the admitted runs read from Redis every 250 ms
            ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
            AtomicInteger steadyNext = new AtomicInteger();
            timers.scheduleAtFixedRate(() -> {
                if (System.nanoTime() < deadline) {
                    steadySent.incrementAndGet();
                    HttpResponse<String> response = post(ports.get(steadyNext.getAndIncrement() % ports.size()), STEADY);
                    int status = response == null ? 0 : response.statusCode();
                    (status == 202 ? steadyAdmitted : status == 429 ? steadyRefused : otherAnswers).incrementAndGet();
                }
            }, 0, STEADY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            timers.scheduleWithFixedDelay(() -> collect(redis, admittedAt), 0, 250, TimeUnit.MILLISECONDS);
            for (Thread thread : load) {
                thread.join();
            }
            long end = serverMicros(redis);
            timers.shutdown();
            assertThat(timers.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            collect(redis, admittedAt);

            long[] times = admittedAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
            long windowMicros = TimeUnit.NANOSECONDS.toMicros(WINDOW.toNanos());
            int maxInWindow = 0;
            int overAdmitted = 0;
            for (int i = 0, oldest = 0; i < times.length; i++) {
                while (times[oldest] <= times[i] - windowMicros) {
                    oldest++;
                }
                maxInWindow = Math.max(maxInWindow, i - oldest + 1);
                overAdmitted += i - oldest + 1 > BURST_RUNS ? 1 : 0;
            }
            long admitted = 0;
            for (int g = 0; g < ports.size(); g++) {
                admitted += admittedBy.get(g);
            }
            long elapsed = end - start;
            long ideal = BURST_RUNS * (elapsed / windowMicros + 1);
            double underAdmission = 1 - (double) times.length / ideal;
            double meanReuseDelayMs = 0;
            for (int i = 0; i + BURST_RUNS < times.length; i++) {
                meanReuseDelayMs += (times[i + BURST_RUNS] - times[i] - windowMicros) / 1000.0;
            }
            meanReuseDelayMs /= Math.max(1, times.length - BURST_RUNS);
            long requests = admitted + refused.get();

            System.out.println();
            System.out.println("| rate limit: 2 gateways, " + CLIENTS + " clients | |");
            System.out.println("|---|---|");
            System.out.printf("| load | %.1f s (Redis clock), tenant %s limited to %d runs per %d s, gateways on %s |%n",
                    elapsed / 1e6, BURST, BURST_RUNS, WINDOW.toSeconds(), ports);
            System.out.printf("| requests | %d (%.0f per s), %d other answers or errors |%n",
                    requests, requests / (elapsed / 1e6), otherAnswers.get());
            System.out.printf("| admitted (202) | %d (by gateway %s), %d in Redis |%n", admitted, admittedBy, times.length);
            System.out.printf("| refused (429) | %d, %d without Retry-After |%n", refused.get(), refusedWithoutRetryAfter.get());
            System.out.printf("| max admitted in any %d s window | %d (limit %d), %d over-admitted |%n",
                    WINDOW.toSeconds(), maxInWindow, BURST_RUNS, overAdmitted);
            System.out.printf("| under-admission | %.2f %% (%d admitted of %d possible in %.1f s) |%n",
                    underAdmission * 100, times.length, ideal, elapsed / 1e6);
            System.out.printf("| freed slot taken again after | %.1f ms on average |%n", meanReuseDelayMs);
            System.out.printf("| tenant %s (%d per %d s), 1 request per %d ms | %d sent, %d admitted, %d refused (429) |%n",
                    STEADY, STEADY_RUNS, WINDOW.toSeconds(), STEADY_INTERVAL.toMillis(), steadySent.get(),
                    steadyAdmitted.get(), steadyRefused.get());
            System.out.println();

            assertThat(otherAnswers.get()).as("answers other than 202 and 429").isZero();
            assertThat((long) times.length).as("admissions in Redis").isEqualTo(admitted);
            assertThat(maxInWindow).as("max admitted in any window").isLessThanOrEqualTo(BURST_RUNS);
            assertThat(overAdmitted).as("over-admitted").isZero();
            assertThat(underAdmission).as("under-admission").isLessThanOrEqualTo(0.02);
            assertThat(refused.get()).isPositive();
            assertThat(refusedWithoutRetryAfter.get()).isZero();
            assertThat(steadyRefused.get()).as("429s of the steady tenant").isZero();
            assertThat(steadyAdmitted.get()).isEqualTo(steadySent.get());
        } finally {
            connections.destroy();
        }
    }

    /** The gateways' first requests are slow (class loading, Kafka metadata): admitted and refused ones, not measured. */
    private void warmUp(List<Integer> ports) {
        for (int i = 0; i < STEADY_RUNS; i++) {
            post(ports.get(i % ports.size()), STEADY);
        }
        for (int i = 0; i < BURST_RUNS + 10; i++) {
            post(ports.get(i % ports.size()), BURST);
        }
    }

    /** The answer, or null if the request failed. */
    private HttpResponse<String> post(int port, String tenant) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/runs"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey(tenant))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(RUN, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void collect(StringRedisTemplate redis, Map<String, Long> admittedAt) {
        for (ZSetOperations.TypedTuple<String> entry : redis.opsForZSet().rangeWithScores(key(BURST), 0, -1)) {
            admittedAt.put(entry.getValue(), entry.getScore().longValue());
        }
    }

    private static long serverMicros(StringRedisTemplate redis) {
        return redis.execute((RedisCallback<Long>) connection -> connection.serverCommands().time(TimeUnit.MICROSECONDS));
    }

    /** A tenant for the benchmark only, given to the gateways as arguments. */
    private static List<String> tenant(String name, int runs) throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(apiKey(name).getBytes(StandardCharsets.UTF_8)));
        return List.of("--switchboard.tenants." + name + ".api-key-sha256=" + hash,
                "--switchboard.tenants." + name + ".rate-limit.runs=" + runs,
                "--switchboard.tenants." + name + ".rate-limit.window=" + WINDOW.toSeconds() + "s");
    }

    private static String apiKey(String tenant) {
        return tenant + "-bench-key";
    }

    private static String key(String tenant) {
        return "sb:" + tenant + ":ratelimit:runs";
    }
}
