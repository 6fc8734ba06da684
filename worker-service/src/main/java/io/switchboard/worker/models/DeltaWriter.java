package io.switchboard.worker.models;

import io.switchboard.events.EventIds;
import io.switchboard.events.stream.MessageDelta;
import io.switchboard.platform.RunEventLog;

/**
 * Writes a streamed answer into the run's stream as {@code message.delta} events, coalesced: the
 * text gathered is appended once it reaches 64 characters or 50 ms have passed since the last
 * append, never one event per token. Each delta's id is its place in the step's answer, so a
 * repeated call appends nothing twice. Tells the caller when the run has ended.
 */
final class DeltaWriter {

    static final int MAX_CHARS = 64;
    static final long MAX_NANOS = 50_000_000L;

    private final RunEventLog runEvents;
    private final String tenantId;
    private final String runId;
    private final int step;
    private final StringBuilder pending = new StringBuilder();
    private long lastFlush = System.nanoTime();
    private int seq;

    DeltaWriter(RunEventLog runEvents, String tenantId, String runId, int step) {
        this.runEvents = runEvents;
        this.tenantId = tenantId;
        this.runId = runId;
        this.step = step;
    }

    /** Adds text; false if the run has ended and the call should stop. */
    boolean write(String text) {
        if (text != null) {
            pending.append(text);
        }
        if (pending.length() >= MAX_CHARS || System.nanoTime() - lastFlush >= MAX_NANOS) {
            return flush();
        }
        return true;
    }

    /** Appends what is gathered; false if the run has ended. */
    boolean flush() {
        lastFlush = System.nanoTime();
        if (pending.isEmpty()) {
            return true;
        }
        MessageDelta delta = new MessageDelta(step, pending.toString());
        pending.setLength(0);
        return runEvents.append(tenantId, runId, EventIds.messageDelta(runId, step, seq++), delta) != RunEventLog.Append.RUN_ENDED;
    }
}
