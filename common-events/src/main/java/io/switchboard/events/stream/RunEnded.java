package io.switchboard.events.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.switchboard.events.RunStatus;
import java.time.Instant;
import java.util.Map;

/**
 * The end of a run, {@code run.completed}, {@code run.failed} or {@code run.cancelled} by its
 * status: the final response ({@code output}, for a run that succeeded) or the reason
 * ({@code error}). A run has exactly one.
 */
public record RunEnded(
        RunStatus status,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> output,
        String error,
        Instant completedAt) implements RunEvent {

    public static final String COMPLETED = "run.completed";
    public static final String FAILED = "run.failed";
    public static final String CANCELLED = "run.cancelled";

    public RunEnded {
        if (status != RunStatus.SUCCEEDED && status != RunStatus.FAILED && status != RunStatus.CANCELLED) {
            throw new IllegalArgumentException("a run ends succeeded, failed or cancelled, not " + status);
        }
    }

    @Override
    public String eventName() {
        return switch (status) {
            case SUCCEEDED -> COMPLETED;
            case CANCELLED -> CANCELLED;
            default -> FAILED;
        };
    }

    @Override
    public boolean terminal() {
        return true;
    }
}
