package io.switchboard.gateway.stream;

import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStream;
import io.switchboard.gateway.runs.RunHistory;
import io.switchboard.platform.RunEventLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Follows the run streams this gateway's clients have open, all of them with one reader: one
 * thread, one connection of its own, one {@code XREAD BLOCK} over every open stream at a time, the
 * entries handed to each follower. Redis is asked once a second when nothing happens, however
 * many streams are open, instead of once per poll per stream. A new follower wakes the reader by
 * adding to this gateway's wake stream, which the reader reads too.
 */
@Component
public class RunFollower implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RunFollower.class);
    /** Below the Redis command timeout ({@code spring.data.redis.timeout}), which a blocked read must not reach. */
    private static final Duration BLOCK = Duration.ofSeconds(1);
    /** Entries that arrive close together are read together: at most this many reads a second while busy. */
    private static final long MIN_READ_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final String START = "0-0";

    private final RedisConnectionFactory connections;
    private final StringRedisTemplate redis;
    private final byte[] wakeKey = ("sb:platform:stream-wake:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    private final Set<Follower> followers = ConcurrentHashMap.newKeySet();
    private final Semaphore someoneFollows = new Semaphore(0);
    private volatile Thread reader;
    private String lastWake = START;

    RunFollower(RedisConnectionFactory connections, StringRedisTemplate redis) {
        this.connections = connections;
        this.redis = redis;
    }

    /** Follows the run's stream from after {@code afterId} ({@code null}: from its start); close it when done. */
    public Follower follow(String tenantId, String runId, String afterId) {
        Follower follower = new Follower(RedisKeys.runEvents(tenantId, runId), afterId == null ? START : afterId);
        followers.add(follower);
        someoneFollows.release();
        redis.executePipelined((RedisCallback<Object>) connection -> {
            connection.streamCommands().xAdd(MapRecord.create(wakeKey, Map.of(new byte[] {'w'}, new byte[] {'1'})), XAddOptions.maxlen(1));
            connection.keyCommands().expire(wakeKey, Duration.ofHours(1).toSeconds());
            return null;
        });
        return follower;
    }

    /** One client's view of a run's stream: the entries after the last one it was given, in order. */
    public final class Follower implements AutoCloseable {

        private final String key;
        private final BlockingQueue<RunEventLog.Entry> entries = new LinkedBlockingQueue<>();
        /** The last entry handed to this follower; written by the reader only. */
        private volatile String after;

        private Follower(String key, String after) {
            this.key = key;
            this.after = after;
        }

        /** What arrived, waiting up to {@code wait} for something; empty if nothing did. */
        public List<RunEventLog.Entry> next(Duration wait) throws InterruptedException {
            RunEventLog.Entry first = entries.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (first == null) {
                return List.of();
            }
            List<RunEventLog.Entry> arrived = new ArrayList<>();
            arrived.add(first);
            entries.drainTo(arrived);
            return arrived;
        }

        @Override
        public void close() {
            followers.remove(this);
        }
    }

    private void read() {
        RedisConnection connection = null;
        long lastRead = 0;
        while (reader == Thread.currentThread()) {
            try {
                if (followers.isEmpty()) {
                    someoneFollows.tryAcquire(BLOCK.toMillis(), TimeUnit.MILLISECONDS);
                    someoneFollows.drainPermits();
                    continue;
                }
                long sinceLast = System.nanoTime() - lastRead;
                if (sinceLast < MIN_READ_INTERVAL_NANOS) {
                    TimeUnit.NANOSECONDS.sleep(MIN_READ_INTERVAL_NANOS - sinceLast);
                }
                connection = connection == null || connection.isClosed() ? connections.getConnection() : connection;
                lastRead = System.nanoTime();
                deliver(connection.streamCommands().xRead(StreamReadOptions.empty().block(BLOCK).count(1_000), offsets()));
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException failure) {
                LOG.warn("reading the open run streams failed, trying again in 1 s: {}", failure.toString());
                close(connection);
                connection = null;
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        close(connection);
    }

    /** Each followed stream from the earliest point one of its followers needs, and the wake stream. */
    @SuppressWarnings("unchecked")
    private StreamOffset<byte[]>[] offsets() {
        Map<String, String> from = new HashMap<>();
        for (Follower follower : followers) {
            from.merge(follower.key, follower.after, (a, b) -> RunHistory.after(a, b) ? b : a);
        }
        List<StreamOffset<byte[]>> offsets = new ArrayList<>(from.size() + 1);
        offsets.add(StreamOffset.create(wakeKey, ReadOffset.from(lastWake)));
        from.forEach((key, id) -> offsets.add(StreamOffset.create(key.getBytes(StandardCharsets.UTF_8), ReadOffset.from(id))));
        return offsets.toArray(StreamOffset[]::new);
    }

    private void deliver(List<ByteRecord> records) {
        if (records == null) {
            return;
        }
        Map<String, List<RunEventLog.Entry>> byKey = new HashMap<>();
        for (ByteRecord record : records) {
            if (Arrays.equals(record.getStream(), wakeKey)) {
                lastWake = record.getId().getValue();
                continue;
            }
            RunEventLog.Entry entry = new RunEventLog.Entry(record.getId().getValue(), field(record, RunStream.EVENT_FIELD),
                    field(record, RunStream.DATA_FIELD));
            byKey.computeIfAbsent(new String(record.getStream(), StandardCharsets.UTF_8), key -> new ArrayList<>()).add(entry);
        }
        for (Follower follower : followers) {
            for (RunEventLog.Entry entry : byKey.getOrDefault(follower.key, List.of())) {
                if (RunHistory.after(entry.id(), follower.after)) {
                    follower.entries.add(entry);
                    follower.after = entry.id();
                }
            }
        }
    }

    private static String field(ByteRecord record, String name) {
        for (Map.Entry<byte[], byte[]> field : record.getValue().entrySet()) {
            if (new String(field.getKey(), StandardCharsets.UTF_8).equals(name)) {
                return new String(field.getValue(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void close(RedisConnection connection) {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (RuntimeException ignored) {
            // the connection is being dropped because it failed
        }
    }

    @Override
    public void start() {
        Thread thread = Thread.ofPlatform().daemon().name("run-stream-reader").unstarted(this::read);
        reader = thread;
        thread.start();
    }

    @Override
    public void stop() {
        Thread thread = reader;
        reader = null;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return reader != null;
    }
}
