package io.switchboard.events.cache;

import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;

/**
 * Read-through cache on Memcached for definitions that change rarely: agent definitions, tool
 * metadata, templates. Values are JSON. Memcached is an accelerator, never a dependency: when it
 * is slow or down, the loader answers.
 */
public final class ReadThroughCache implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReadThroughCache.class.getName());

    private final MemcachedClient client;
    private final Duration ttl;
    private final Duration timeout;

    public ReadThroughCache(MemcachedClient client, Duration ttl, Duration timeout) {
        this.client = client;
        this.ttl = ttl;
        this.timeout = timeout;
    }

    /** Connects to {@code host:port host:port ...}; the client reconnects by itself. */
    public static ReadThroughCache connect(String servers, Duration ttl, Duration timeout) {
        try {
            MemcachedClient client = new MemcachedClient(new ConnectionFactoryBuilder()
                    .setOpTimeout(timeout.toMillis())
                    .setDaemon(true)
                    .build(), AddrUtil.getAddresses(servers));
            return new ReadThroughCache(client, ttl, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cached value of {@code key}, or what {@code loader} gives (then cached); null if neither has one. */
    public <T> T get(String key, Class<T> type, Supplier<T> loader) {
        T cached = cached(key, type);
        if (cached != null) {
            return cached;
        }
        T loaded = loader.get();
        if (loaded != null) {
            try {
                client.set(key, (int) ttl.toSeconds(), EventCodec.mapper().writeValueAsString(loaded));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "memcached set of {0} failed: {1}", key, e.toString());
            }
        }
        return loaded;
    }

    private <T> T cached(String key, Class<T> type) {
        try {
            Object value = client.asyncGet(key).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return value instanceof String json ? EventCodec.mapper().readValue(json, type) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "memcached get of {0} failed, loading instead: {1}", key, e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        client.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
