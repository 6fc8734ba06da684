package io.switchboard.worker.models;

import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import io.switchboard.tools.ToolFailure;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * What a provider's failure means for the task. A 429, a 408, a 5xx, a timeout, an I/O error or
 * a malformed response may pass: the task is tried again, not before the provider's
 * {@code Retry-After} if it sent one. Any other 4xx (a bad request, a wrong key, an unknown model)
 * will not: the task fails with the provider's status and message.
 */
final class ModelFailures {

    private ModelFailures() {
    }

    static ToolFailure of(String provider, Throwable thrown, Clock clock) {
        if (thrown instanceof ToolFailure failure) {
            return failure;
        }
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof OpenAIServiceException service) {
                return ofStatus(provider, service, clock);
            }
            if (cause instanceof OpenAIInvalidDataException) {
                return ToolFailure.transientFailure("model provider '" + provider + "' sent a malformed response: " + cause.getMessage(), thrown);
            }
            if (cause instanceof OpenAIIoException || cause instanceof IOException || cause instanceof TimeoutException) {
                return ToolFailure.transientFailure("model provider '" + provider + "' could not be reached: " + cause, thrown);
            }
        }
        return ToolFailure.transientFailure("model provider '" + provider + "' failed: " + thrown, thrown);
    }

    private static ToolFailure ofStatus(String provider, OpenAIServiceException failure, Clock clock) {
        int status = failure.statusCode();
        String reason = "model provider '" + provider + "' answered " + status + ": " + message(failure);
        if (status == 429 || status == 408 || status >= 500) {
            return retryAfter(failure.headers().values("Retry-After"), clock)
                    .map(after -> ToolFailure.retryAfter(reason, after, failure))
                    .orElseGet(() -> ToolFailure.transientFailure(reason, failure));
        }
        return ToolFailure.permanent(reason);
    }

    /** The provider's error message, as the SDK read it from the body, without the status it starts with. */
    private static String message(OpenAIServiceException failure) {
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        String status = failure.statusCode() + ": ";
        return message.startsWith(status) ? message.substring(status.length()) : message;
    }

    /** {@code Retry-After} as seconds or as an HTTP date; empty if absent or unreadable. */
    static Optional<Duration> retryAfter(List<String> values, Clock clock) {
        if (values == null || values.isEmpty() || values.getFirst().isBlank()) {
            return Optional.empty();
        }
        String value = values.getFirst().trim();
        try {
            return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000))).filter(d -> !d.isNegative());
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(clock.instant(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return Optional.of(until.isNegative() ? Duration.ZERO : until);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
