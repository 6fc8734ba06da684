package io.switchboard.gateway.runs;

import io.switchboard.events.EventIds;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.web.Problems;
import io.switchboard.store.RunStore;
import io.switchboard.store.StoredRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.KafkaException;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

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
    private final RunStore store;
    private final RunEnding ending;

    RunCancellation(RunEventLog runEvents, RunStore store, RunEnding ending) {
        this.runEvents = runEvents;
        this.store = store;
        this.ending = ending;
    }

    void cancel(String tenantId, String runId) {
        RunAccepted accepted = runEvents.accepted(tenantId, runId).orElse(null);
        if (accepted == null) {
            // Redis has let an ended run go; the store has it, or there is no such run.
            StoredRun stored = store.run(tenantId, runId).orElseThrow(() -> Problems.runNotFound(runId));
            if (!stored.ended()) { // Redis lost it while it ran: the composer recovers it from the store
                ErrorResponseException recovering = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Run being recovered",
                        "Run '" + runId + "' is being recovered after an outage. Retry the request.");
                recovering.getHeaders().set(HttpHeaders.RETRY_AFTER, "15");
                throw recovering;
            }
            throw alreadyEnded(runId, switch (stored.status()) {
                case "succeeded" -> RunEnded.COMPLETED;
                case "cancelled" -> RunEnded.CANCELLED;
                default -> RunEnded.FAILED;
            });
        }
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
            throw alreadyEnded(runId, runEvents.ended(tenantId, runId).orElse("an end"));
        }
        LOG.info("run {} of tenant {} cancelled", runId, tenantId);
    }

    private static ErrorResponseException alreadyEnded(String runId, String ended) {
        return Problems.of(HttpStatus.CONFLICT, "Run already ended",
                "Run '" + runId + "' cannot be cancelled: it already ended with " + ended + ".");
    }
}
