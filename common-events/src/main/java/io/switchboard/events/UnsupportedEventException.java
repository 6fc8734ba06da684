package io.switchboard.events;

/** An event that this consumer cannot read: unknown type or version, missing attribute, bad payload. Never retryable. */
public class UnsupportedEventException extends RuntimeException {

    public UnsupportedEventException(String message) {
        super(message);
    }

    public UnsupportedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
