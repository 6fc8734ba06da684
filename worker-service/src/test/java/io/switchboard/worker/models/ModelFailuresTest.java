package io.switchboard.worker.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.errors.OpenAIIoException;
import io.switchboard.tools.ToolFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ModelFailuresTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T20:00:00Z"), ZoneOffset.UTC);

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertThat(ModelFailures.retryAfter(List.of("7"), clock)).contains(Duration.ofSeconds(7));
        assertThat(ModelFailures.retryAfter(List.of("0.5"), clock)).contains(Duration.ofMillis(500));
        assertThat(ModelFailures.retryAfter(List.of("Tue, 01 Dec 2026 20:00:12 GMT"), clock)).contains(Duration.ofSeconds(12));
        assertThat(ModelFailures.retryAfter(List.of("Tue, 01 Dec 2026 19:00:00 GMT"), clock)).contains(Duration.ZERO);
        assertThat(ModelFailures.retryAfter(List.of("soon"), clock)).isEmpty();
        assertThat(ModelFailures.retryAfter(List.of(), clock)).isEmpty();
    }

    @Test
    void anIoErrorWrappedByTheStreamMayPass() {
        ToolFailure failure = ModelFailures.of("default",
                new CompletionException(new OpenAIIoException("connection reset", null)), clock);

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.retryAfter()).isEmpty();
        assertThat(failure.getMessage()).startsWith("model provider 'default' could not be reached");
    }

    @Test
    void aFailureThatIsAlreadyAToolFailureIsKeptAsItIs() {
        ToolFailure ended = ToolFailure.permanent("run r ended while the model was answering");

        assertThat(ModelFailures.of("default", ended, clock)).isSameAs(ended);
    }
}
