package io.switchboard.platform;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Logs what the API answered during an outage at WARN without a line per request: the first at
 * once, then at most one line per {@code interval}, which says how many more there were since the
 * one before. Under load a line per request (and a stack trace each) would bury the rest of the
 * log for as long as Redis or Kafka is away; every request is still counted by status in
 * {@code http.server.requests}. Thread-safe.
 */
public final class OutageLog {

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextLine;
    private final AtomicLong unlogged = new AtomicLong();

    public OutageLog(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    OutageLog(Logger log, Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.nextLine = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * Logs {@code message} with its arguments as SLF4J formats them (a last argument that is a
     * {@link Throwable} is the line's cause), unless a line was logged less than the interval ago:
     * then it is only counted, and the next line says how many were not logged.
     */
    public void warn(String message, Object... arguments) {
        long now = nanoTime.getAsLong();
        long next = nextLine.get();
        if (now - next < 0 || !nextLine.compareAndSet(next, now + intervalNanos)) {
            unlogged.incrementAndGet();
            return;
        }
        LoggingEventBuilder line = log.atWarn();
        Object[] values = arguments;
        if (values.length > 0 && values[values.length - 1] instanceof Throwable cause) {
            line = line.setCause(cause);
            values = Arrays.copyOf(values, values.length - 1);
        }
        for (Object value : values) {
            line = line.addArgument(value);
        }
        long more = unlogged.getAndSet(0);
        if (more > 0) {
            line = line.addArgument(more);
        }
        line.setMessage(more > 0 ? message + " ({} more like it since the last line)" : message).log();
    }
}
