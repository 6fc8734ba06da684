package io.switchboard.tools;

/** A tool call that failed, and whether trying again later could help. */
public class ToolFailure extends RuntimeException {

    private final boolean retryable;

    private ToolFailure(String reason, boolean retryable, Throwable cause) {
        super(reason, cause);
        this.retryable = retryable;
    }

    /** Trying again cannot help: a bad expression, a host that is not allowed. */
    public static ToolFailure permanent(String reason) {
        return new ToolFailure(reason, false, null);
    }

    /** Trying again later may help: a timeout, a 503. */
    public static ToolFailure transientFailure(String reason, Throwable cause) {
        return new ToolFailure(reason, true, cause);
    }

    public boolean retryable() {
        return retryable;
    }
}
