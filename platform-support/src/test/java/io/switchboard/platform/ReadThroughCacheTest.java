package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The read-through cache against the real Memcached (127.0.0.1:11211, started by
 * {@code ./switchboard test}). Two caches are two instances: each has its own client, so only the
 * lease in Memcached keeps them from loading the same key twice.
 */
class ReadThroughCacheTest {

    private static final String SERVERS = "127.0.0.1:11211";
    private static final int REQUESTS = 200;
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final MemcachedClient firstClient = ReadThroughCache.client(SERVERS, TIMEOUT);
    private final MemcachedClient secondClient = ReadThroughCache.client(SERVERS, TIMEOUT);
    private final ReadThroughCache first = new ReadThroughCache(firstClient, TTL, TIMEOUT);
    private final ReadThroughCache second = new ReadThroughCache(secondClient, TTL, TIMEOUT);
    private final MemcachedClient memcached = new MemcachedClient(AddrUtil.getAddresses(SERVERS));
    private final String key = "sb:test:read-through:" + UUID.randomUUID();
    private final AtomicInteger loads = new AtomicInteger();

    ReadThroughCacheTest() throws IOException {
    }

    @AfterEach
    void close() {
        firstClient.shutdown();
        secondClient.shutdown();
        memcached.shutdown();
    }

    /**
     * 200 requests released together for one key, on one instance or spread over two, while the
     * load takes 200 ms. An expired key is loaded once and the others are served the stale value
     * meanwhile; a cold key is loaded once and everybody waits for that value.
     */
    @ParameterizedTest(name = "{0} key, {1} instance(s)")
    @CsvSource({"expired, 1", "expired, 2", "cold, 1", "cold, 2"})
    void concurrentRequestsForAKeyDueForLoadingLoadItOnce(String state, int instances) throws Exception {
        if (state.equals("expired")) {
            plant(new ReadThroughCache.Entry<>("stale", System.currentTimeMillis() - 1_000, 5));
        }
        List<ReadThroughCache> caches = instances == 1 ? List.of(first) : List.of(first, second);
        Supplier<String> slowLoader = () -> {
            loads.incrementAndGet();
            sleep(Duration.ofMillis(200));
            return "fresh";
        };

        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < REQUESTS; i++) {
                ReadThroughCache cache = caches.get(i % caches.size());
                answers.add(requests.submit(() -> {
                    start.await();
                    return cache.get(key, String.class, slowLoader);
                }));
            }
            start.countDown();
        }
        List<String> values = new ArrayList<>();
        for (Future<String> answer : answers) {
            values.add(answer.get());
        }

        long stale = values.stream().filter("stale"::equals).count();
        System.out.printf("%d concurrent requests, %s key, %d instance(s): loader ran %d time(s); "
                + "%d answered with the stale value, %d with the loaded one%n",
                REQUESTS, state, instances, loads.get(), stale, values.stream().filter("fresh"::equals).count());
        assertThat(loads).hasValue(1);
        assertThat(values).hasSize(REQUESTS).contains("fresh")
                .isSubsetOf(state.equals("expired") ? List.of("stale", "fresh") : List.of("fresh"));
        assertThat(first.get(key, String.class, slowLoader)).isEqualTo("fresh");
        assertThat(loads).hasValue(1);
    }

    /**
     * XFetch: a value two seconds from its expiry whose last load took a minute is reloaded by the
     * next reader (with a chance of 1 - e^(-2/60), about 97 %, per read), before it expires, and
     * that reader gets the new value; the next ones get it from Memcached.
     */
    @Test
    void aValueCloseToItsExpiryWithASlowLoadIsReloadedEarly() {
        long expiresAt = System.currentTimeMillis() + 2_000;
        plant(new ReadThroughCache.Entry<>("old", expiresAt, 60_000));
        Supplier<String> loader = () -> {
            loads.incrementAndGet();
            return "new";
        };

        List<String> values = new ArrayList<>();
        while (loads.get() == 0 && values.size() < 10) {
            values.add(first.get(key, String.class, loader));
        }
        long reloadedAt = System.currentTimeMillis();
        values.add(first.get(key, String.class, loader));
        values.add(second.get(key, String.class, loader));

        System.out.printf("XFetch: reloaded %d ms before the expiry, on read %d; loader ran %d time(s)%n",
                expiresAt - reloadedAt, values.size() - 2, loads.get());
        assertThat(loads).hasValue(1);
        assertThat(reloadedAt).isLessThan(expiresAt);
        assertThat(values).endsWith("new", "new", "new");
    }

    @Test
    void aValueFarFromItsExpiryWithAQuickLoadIsNotReloaded() {
        plant(new ReadThroughCache.Entry<>("cached", System.currentTimeMillis() + 60_000, 5));

        for (int i = 0; i < 100; i++) {
            assertThat(first.get(key, String.class, () -> {
                loads.incrementAndGet();
                return "loaded";
            })).isEqualTo("cached");
        }
        assertThat(loads).hasValue(0);
    }

    private void plant(ReadThroughCache.Entry<String> entry) {
        try {
            memcached.set(key, 120, EventCodec.mapper().writeValueAsString(entry)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The load being slow is the point; nothing waits on it. */
    private static void sleep(Duration duration) {
        LockSupport.parkNanos(duration.toNanos());
    }
}
