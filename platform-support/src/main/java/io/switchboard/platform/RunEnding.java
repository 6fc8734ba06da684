package io.switchboard.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.switchboard.events.AgentCompleted;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventIds;
import io.switchboard.events.RunStatus;
import io.switchboard.events.Topics;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.KafkaException;

/**
 * The one way a run ends, whatever ends it: its final step, a step that failed entirely, a refused
 * plan, a cancel or its deadline. It appends the terminal event to the run's stream, which takes
 * only the first end of a run and stops watching its deadline, then announces it as
 * {@code agent.completed}. A repeat of the same end (a redelivered outcome, a cancel sent twice)
 * announces it again under the same event id, in case the first announcement was lost; consumers
 * de-duplicate.
 * A run's first end is counted by tenant, agent and status, with its duration from acceptance.
 */
public class RunEnding {

    private static final Logger LOG = LoggerFactory.getLogger(RunEnding.class);
    /** The buckets of the run duration histogram: the latencies an SLO on runs would name. */
    private static final Duration[] SLO_BUCKETS = Stream.of(100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000,
            300_000, 600_000).map(Duration::ofMillis).toArray(Duration[]::new);

    private final RunEventLog runEvents;
    private final EventPublisher events;
    private final MeterRegistry meters;

    RunEnding(RunEventLog runEvents, EventPublisher events, MeterRegistry meters) {
        this.runEvents = runEvents;
        this.events = events;
        this.meters = meters;
    }

    /** What an end came to. */
    public enum Result {
        ENDED,
        /** This same end was applied before; it was announced again. */
        REPEATED,
        /** The run had already ended otherwise; this end was not applied. */
        ALREADY_ENDED
    }

    /**
     * Ends a run because of one of its own events (a step's last outcome, a step that could not be
     * planned).
     *
     * @throws KafkaException if Kafka did not acknowledge {@code agent.completed}; the end is
     *                        recorded, and handling the cause again announces it
     */
    public Result end(Envelope cause, String source, RunStatus status, Map<String, Object> output, String error,
                      String conversationId, String agent) {
        return end(cause, null, source, status, output, error, conversationId, agent);
    }

    /**
     * As {@link #end(Envelope, String, RunStatus, Map, String, String, String)}, appending
     * {@code before} first (if not null: the result of the step that ends the run) in the same round trip.
     */
    public Result end(Envelope cause, RunEventLog.Pending before, String source, RunStatus status, Map<String, Object> output,
                      String error, String conversationId, String agent) {
        Envelope envelope = cause.next(EventIds.runEnded(cause.runId(), EventIds.EndedBy.PIPELINE), source,
                AgentCompleted.class);
        return end(envelope, new AgentCompleted(cause.runId(), conversationId, agent, status, output, error, Instant.now()),
                null, before);
    }

    /**
     * Ends a run from outside its flow: a cancel by the client, or its deadline. The run's
     * {@code run.accepted} gives its conversation, agent and correlation id.
     */
    public Result end(String tenantId, RunAccepted run, EventIds.EndedBy endedBy, String source, RunStatus status,
                      String error) {
        Envelope envelope = Envelope.origin(EventIds.runEnded(run.runId(), endedBy), source, AgentCompleted.class,
                tenantId, run.correlationId(), run.runId());
        return end(envelope, new AgentCompleted(run.runId(), run.conversationId(), run.agent(), status, null, error,
                Instant.now()), run, null);
    }

    /** @param accepted the run's first event, if the caller has it; else the append reads it, for the run's duration */
    private Result end(Envelope envelope, AgentCompleted completed, RunAccepted accepted, RunEventLog.Pending before) {
        RunEnded ended = new RunEnded(completed.status(), completed.output(), completed.error(), completed.completedAt());
        RunEventLog.Ending appended = runEvents.appendEnd(envelope.tenantId(), completed.runId(), before, envelope.id(), ended);
        if (appended.append() == RunEventLog.Append.RUN_ENDED) {
            LOG.info("run {} already ended; {} not applied", completed.runId(), ended.eventName());
            return Result.ALREADY_ENDED;
        }
        events.publish(Topics.AGENT_COMPLETED, completed.conversationId(), envelope, completed);
        if (appended.append() == RunEventLog.Append.DUPLICATE) {
            return Result.REPEATED;
        }
        Tags tags = Tags.of("tenant", envelope.tenantId(), "agent", completed.agent(), "status", completed.status().wireName());
        meters.counter("switchboard.runs.completed", tags).increment();
        Optional.ofNullable(accepted).or(appended::accepted).ifPresent(run ->
                Timer.builder("switchboard.run.duration").description("From a run's acceptance to its end")
                        .serviceLevelObjectives(SLO_BUCKETS).tags(tags).register(meters)
                        .record(Duration.between(run.createdAt(), completed.completedAt())));
        LOG.debug("run {} {}{}", completed.runId(), completed.status().wireName(),
                completed.error() == null ? "" : ": " + completed.error());
        return Result.ENDED;
    }
}
