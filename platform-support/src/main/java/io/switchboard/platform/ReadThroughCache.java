package io.switchboard.platform;

import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;

/**
 * Read-through cache on Memcached for definitions that change rarely: agent definitions, tool
 * metadata, templates. Values are JSON. Memcached is an accelerator, never a dependency: when it
 * is slow or down, the loader answers.
 *
 * <p>It does not stampede. Each value is stored with its logical expiry and the time its last load
 * took (delta), and Memcached keeps it for as long again past that expiry, so there is a stale
 * value to serve while it is reloaded. A reader reloads early, with a chance that grows as the
 * expiry nears and with delta (XFetch, Vattani et al., "Optimal Probabilistic Cache Stampede
 * Prevention"): when {@code now - delta * beta * ln(random) >= expiry}. A reload is single-flight:
 * within a JVM one load per key runs at a time, across instances the loading caller holds a short
 * lease ({@code <key>:lease}, taken with Memcached's {@code add}). A caller that has a value serves
 * it while another reloads; a caller that has none waits for the value, and loads it itself only
 * once the lease has run out.
 *
 * <p>An entry read from Memcached is kept, decoded, in the JVM for a second: a hot key costs one
 * Memcached read and one JSON decode a second, not one per use, and a value stored elsewhere is
 * seen at most that much later.
 */
public final class ReadThroughCache {

    private static final System.Logger LOG = System.getLogger(ReadThroughCache.class.getName());
    /** XFetch's beta: above 1 reloads earlier, below 1 later. */
    private static final double BETA = 1.0;
    /** How long the loading caller holds a key; a caller without a value waits that long at most. */
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final long NEAR_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MemcachedClient client;
    private final Duration ttl;
    private final Duration timeout;
    private final Map<String, CompletableFuture<Object>> loading = new ConcurrentHashMap<>();
    private final Map<String, Near> near = new ConcurrentHashMap<>();

    public ReadThroughCache(MemcachedClient client, Duration ttl, Duration timeout) {
        this.client = client;
        this.ttl = ttl;
        this.timeout = timeout;
    }

    /** A client for {@code host:port host:port ...}; it reconnects by itself. One per process is enough. */
    public static MemcachedClient client(String servers, Duration timeout) {
        try {
            return new MemcachedClient(new ConnectionFactoryBuilder()
                    .setOpTimeout(timeout.toMillis())
                    .setDaemon(true)
                    .build(), AddrUtil.getAddresses(servers));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same cache over the same client, for values that stay fresh for {@code ttl} instead. */
    public ReadThroughCache withTtl(Duration ttl) {
        return new ReadThroughCache(client, ttl, timeout);
    }

    /** The cached value of {@code key}, or what {@code loader} gives (then cached); null if neither has one. */
    public <T> T get(String key, Class<T> type, Supplier<T> loader) {
        Entry<T> entry = recent(key, type);
        if (entry != null && !dueForReload(entry)) {
            return entry.value();
        }
        CompletableFuture<Object> flight = new CompletableFuture<>();
        CompletableFuture<Object> running = loading.putIfAbsent(key, flight);
        if (running != null) {
            return entry != null ? entry.value() : type.cast(join(running));
        }
        try {
            T value = reload(key, entry, type, loader);
            flight.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            flight.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, flight);
        }
    }

    /** Forgets {@code key} here and in Memcached; other instances may serve what they read of it within the last second. */
    public void evict(String key) {
        near.remove(key);
        try {
            client.delete(key).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "memcached delete of {0} failed: {1}", key, e.toString());
        }
    }

    /** XFetch: true once the expiry is past, and before it with a chance that grows with delta. */
    private static boolean dueForReload(Entry<?> entry) {
        double gap = -entry.delta() * BETA * Math.log(1 - ThreadLocalRandom.current().nextDouble());
        return System.currentTimeMillis() + gap >= entry.expiresAt();
    }

    /** Loads under the key's lease. Without the lease: the value in hand, or the one the lease holder stores. */
    private <T> T reload(String key, Entry<T> current, Class<T> type, Supplier<T> loader) {
        long giveUp = System.nanoTime() + LEASE.toNanos();
        while (!lease(key)) {
            if (current != null) {
                return current.value();
            }
            if (System.nanoTime() > giveUp || !pause()) {
                LOG.log(Level.WARNING, "nobody stored {0} within the lease; loading it here", key);
                return load(key, loader);
            }
            Entry<T> stored = read(key, type);
            if (stored != null) {
                return stored.value();
            }
        }
        try {
            Entry<T> stored = read(key, type);
            if (stored != null && (current == null || stored.expiresAt() > current.expiresAt())) {
                return stored.value();
            }
            return load(key, loader);
        } finally {
            release(key);
        }
    }

    private <T> T load(String key, Supplier<T> loader) {
        long started = System.nanoTime();
        T loaded = loader.get();
        long delta = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (loaded != null) {
            try {
                Entry<T> entry = new Entry<>(loaded, System.currentTimeMillis() + ttl.toMillis(), delta);
                near.put(key, new Near(entry, System.nanoTime()));
                // Waited for, as the lease's release is: whoever takes the lease next reads this value.
                client.set(key, (int) Math.max(1, 2 * ttl.toSeconds()), EventCodec.mapper().writeValueAsString(entry))
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "memcached set of {0} failed: {1}", key, e.toString());
            }
        }
        return loaded;
    }

    /** True if this caller may load the key; also when Memcached does not answer, since it is only an accelerator. */
    private boolean lease(String key) {
        try {
            return client.add(leaseKey(key), (int) LEASE.toSeconds(), "1").get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "memcached lease of {0} failed, loading without it: {1}", key, e.toString());
            return true;
        }
    }

    private void release(String key) {
        try {
            client.delete(leaseKey(key)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "memcached release of {0} failed: {1}", key, e.toString());
        }
    }

    private static String leaseKey(String key) {
        return key + ":lease";
    }

    private static boolean pause() {
        try {
            Thread.sleep(POLL);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The entry read or stored here within the last second, else what Memcached has. */
    @SuppressWarnings("unchecked")
    private <T> Entry<T> recent(String key, Class<T> type) {
        Near recent = near.get(key);
        if (recent != null && System.nanoTime() - recent.at() < NEAR_NANOS && type.isInstance(recent.entry().value())) {
            return (Entry<T>) recent.entry();
        }
        return read(key, type);
    }

    private <T> Entry<T> read(String key, Class<T> type) {
        try {
            Object value = client.asyncGet(key).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!(value instanceof String json)) {
                return null;
            }
            Entry<T> entry = EventCodec.mapper().readValue(json,
                    EventCodec.mapper().getTypeFactory().constructParametricType(Entry.class, type));
            near.put(key, new Near(entry, System.nanoTime()));
            return entry;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "memcached get of {0} failed, loading instead: {1}", key, e.toString());
            return null;
        }
    }

    private static Object join(CompletableFuture<Object> flight) {
        try {
            return flight.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    /**
     * What Memcached holds for a key.
     *
     * @param expiresAt when the value is due for reloading (epoch millis); Memcached keeps it as long again
     * @param delta     how long its load took, in milliseconds
     */
    record Entry<T>(T value, long expiresAt, long delta) {
    }

    /** An entry and when (System.nanoTime) it was read or stored here. */
    private record Near(Entry<?> entry, long at) {
    }
}
