package io.switchboard.worker.models;

import io.switchboard.events.EventIds;
import io.switchboard.events.stream.MessageDelta;
import io.switchboard.platform.RunEventLog;

/**
 * Writes a streamed answer into the run's stream as {@code message.delta} events, coalesced: the
 * text gathered is appended once it reaches 64 characters, or by {@link #flushIfDue} once 50 ms
 * have passed since the last append (the caller ticks it, so a model that pauses still shows what it
 * wrote), never one event per token. Each delta's id is its place in the answer of the step's
 * attempt, so a repeated append is not shown twice, and the pieces of a try that failed part-way
 * stay apart from the next try's. What is left at the end is handed to the caller ({@link #rest}),
 * which appends it with the reply. Tells the caller when the run has ended. Thread-safe: the
 * stream and the ticker write from different threads.
 */
final class DeltaWriter {

    static final int MAX_CHARS = 64;
    static final long MAX_NANOS = 50_000_000L;

    private final RunEventLog runEvents;
    private final String tenantId;
    private final String runId;
    private final int step;
    private final int attempt;
    private final StringBuilder pending = new StringBuilder();
    private long lastFlush = System.nanoTime();
    private int seq;
    private boolean runEnded;

    DeltaWriter(RunEventLog runEvents, String tenantId, String runId, int step, int attempt) {
        this.runEvents = runEvents;
        this.tenantId = tenantId;
        this.runId = runId;
        this.step = step;
        this.attempt = attempt;
    }

    /** Adds text; false if the run has ended and the call should stop. */
    synchronized boolean write(String text) {
        if (text != null) {
            pending.append(text);
        }
        return pending.length() >= MAX_CHARS || System.nanoTime() - lastFlush >= MAX_NANOS ? flush() : !runEnded;
    }

    /** Appends what is gathered if 50 ms have passed since the last append. */
    synchronized void flushIfDue() {
        if (System.nanoTime() - lastFlush >= MAX_NANOS) {
            flush();
        }
    }

    /** Whether an append found that the run has ended. */
    synchronized boolean runEnded() {
        return runEnded;
    }

    /** The last delta, for the caller to append: what is gathered and not yet appended; null if nothing is. */
    synchronized RunEventLog.Pending rest() {
        if (pending.isEmpty()) {
            return null;
        }
        RunEventLog.Pending rest = new RunEventLog.Pending(EventIds.messageDelta(runId, step, attempt, seq++),
                new MessageDelta(step, attempt, pending.toString()));
        pending.setLength(0);
        return rest;
    }

    private boolean flush() {
        lastFlush = System.nanoTime();
        if (pending.isEmpty() || runEnded) {
            return !runEnded;
        }
        MessageDelta delta = new MessageDelta(step, attempt, pending.toString());
        pending.setLength(0);
        runEnded = runEvents.append(tenantId, runId, EventIds.messageDelta(runId, step, attempt, seq++), delta)
                == RunEventLog.Append.RUN_ENDED;
        return !runEnded;
    }
}
