package io.switchboard.gateway.runs;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.Envelope;
import io.switchboard.events.RunStatus;
import io.switchboard.events.RunStream;
import io.switchboard.events.Topics;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.RunEventLog;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.KafkaException;
import org.springframework.stereotype.Service;

/**
 * Cancels a run. {@code run.cancelled} is its terminal event: nothing is appended after it, the
 * worker skips the run's tasks that have not started and the planner plans no further step. The
 * end is then announced as {@code agent.completed}. Cancelling a cancelled run again is a no-op
 * that succeeds; cancelling a run that ended otherwise is a conflict.
 */
@Service
class RunCancellation {

    private static final Logger LOG = LoggerFactory.getLogger(RunCancellation.class);

    private final RunEventLog runEvents;
    private final EventPublisher events;

    RunCancellation(RunEventLog runEvents, EventPublisher events) {
        this.runEvents = runEvents;
        this.events = events;
    }

    void cancel(String tenantId, String runId) {
        Map<String, Object> accepted = runEvents.accepted(tenantId, runId).orElseThrow(() -> Problems.runNotFound(runId));
        Instant now = Instant.now();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", RunStatus.CANCELLED.wireName());
        data.put("error", "cancelled by the client");
        data.put("completedAt", now.toString());
        String eventId = runId + ".cancelled";
        if (runEvents.append(tenantId, runId, eventId, RunStream.Event.RUN_CANCELLED, data) == RunEventLog.Append.RUN_ENDED) {
            String ended = runEvents.ended(tenantId, runId).orElse("an end");
            throw Problems.of(HttpStatus.CONFLICT, "Run already ended",
                    "Run '" + runId + "' cannot be cancelled: it already ended with " + ended + ".");
        }
        runEvents.unwatch(tenantId, runId);
        String conversationId = (String) accepted.get("conversationId");
        Envelope envelope = Envelope.origin(eventId, RunAcceptance.SOURCE, AgentCompleted.class, tenantId,
                (String) accepted.get("correlationId"), runId);
        try {
            events.publish(Topics.AGENT_COMPLETED, conversationId, envelope, new AgentCompleted(runId, conversationId,
                    (String) accepted.get("agent"), RunStatus.CANCELLED, null, "cancelled by the client", now));
        } catch (KafkaException e) {
            LOG.warn("run {} is cancelled but agent.completed was not acknowledged", runId, e);
            throw Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Cancellation not announced",
                    "The run is cancelled, but the event log did not acknowledge it in time. Retry the request.");
        }
        LOG.info("run {} of tenant {} cancelled", runId, tenantId);
    }
}
