package io.switchboard.gateway.runs;

import io.switchboard.events.EventIds;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.RunEventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.KafkaException;
import org.springframework.stereotype.Service;

/**
 * Cancels a run. {@code run.cancelled} is its terminal event: nothing is appended after it, the
 * worker skips the run's tasks that have not started and the planner plans no further step.
 * Cancelling a cancelled run again is a no-op that succeeds; cancelling a run that ended otherwise
 * is a conflict.
 */
@Service
class RunCancellation {

    private static final Logger LOG = LoggerFactory.getLogger(RunCancellation.class);

    private final RunEventLog runEvents;
    private final RunEnding ending;

    RunCancellation(RunEventLog runEvents, RunEnding ending) {
        this.runEvents = runEvents;
        this.ending = ending;
    }

    void cancel(String tenantId, String runId) {
        RunAccepted accepted = runEvents.accepted(tenantId, runId).orElseThrow(() -> Problems.runNotFound(runId));
        RunEnding.Result result;
        try {
            result = ending.end(tenantId, accepted, EventIds.EndedBy.CANCEL, RunAcceptance.SOURCE, RunStatus.CANCELLED,
                    "cancelled by the client");
        } catch (KafkaException e) {
            LOG.warn("run {} is cancelled but agent.completed was not acknowledged", runId, e);
            throw Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Cancellation not announced",
                    "The run is cancelled, but the event log did not acknowledge it in time. Retry the request.");
        }
        if (result == RunEnding.Result.ALREADY_ENDED) {
            String ended = runEvents.ended(tenantId, runId).orElse("an end");
            throw Problems.of(HttpStatus.CONFLICT, "Run already ended",
                    "Run '" + runId + "' cannot be cancelled: it already ended with " + ended + ".");
        }
        LOG.info("run {} of tenant {} cancelled", runId, tenantId);
    }
}
