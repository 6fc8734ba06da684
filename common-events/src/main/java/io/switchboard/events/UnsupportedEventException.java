package io.switchboard.events;

/** An event that this consumer cannot read: unknown type or version, missing attribute, bad payload. Never retryable. */
public class UnsupportedEventException extends RuntimeException {

    public UnsupportedEventException(String message) {
        super(message);
    }

    public UnsupportedEventException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The words to put on a dead letter: this contract's own reason if it is in the chain, else the innermost one. */
    public static String reasonOf(Throwable failure) {
        Throwable innermost = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnsupportedEventException unsupported) {
                return unsupported.getMessage();
            }
            innermost = cause;
        }
        return String.valueOf(innermost.getMessage());
    }
}
