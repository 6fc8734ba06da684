package io.switchboard.tools;

import java.time.Duration;
import java.util.Optional;

/** A tool call that failed, and whether trying again later could help. */
public class ToolFailure extends RuntimeException {

    private final boolean retryable;
    private final Duration retryAfter;

    private ToolFailure(String reason, boolean retryable, Duration retryAfter, Throwable cause) {
        super(reason, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** Trying again cannot help: a bad expression, a host that is not allowed. */
    public static ToolFailure permanent(String reason) {
        return new ToolFailure(reason, false, null, null);
    }

    /** Trying again later may help: a timeout, a 503. */
    public static ToolFailure transientFailure(String reason, Throwable cause) {
        return new ToolFailure(reason, true, null, cause);
    }

    /** Trying again may help, but not before {@code retryAfter}: a 429 or 503 that said when. */
    public static ToolFailure retryAfter(String reason, Duration retryAfter, Throwable cause) {
        return new ToolFailure(reason, true, retryAfter, cause);
    }

    public boolean retryable() {
        return retryable;
    }

    /** How long to wait at least before trying again, if the failure said; else empty. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
