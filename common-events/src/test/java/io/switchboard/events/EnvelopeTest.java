package io.switchboard.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The envelope's time as it is written, read back exactly, and any other RFC 3339 form still read. */
class EnvelopeTest {

    @Test
    void everyTimeAsWrittenIsReadBackExactly() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextLong(1_000) * 1_000_000;
                case 2 -> random.nextLong(1_000_000) * 1_000;
                default -> random.nextLong(1_000_000_000);
            };
            Instant time = Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L), nanos);

            assertThat(Envelope.asWritten(time.toString())).as(time.toString()).isEqualTo(time);
        }
    }

    @Test
    void otherFormsAreLeftToTheGeneralParserAndWrongOnesRefused() {
        assertThat(Envelope.asWritten("2026-12-03T11:15:30+01:00")).isNull();
        assertThat(Envelope.asWritten("2026-02-29T10:15:30Z")).isNull();
        assertThat(Envelope.asWritten("2026-12-03T24:00:00Z")).isNull();
        assertThat(Envelope.asWritten("2026-12-03T10:15:30.Z")).isNull();
        assertThat(Envelope.asWritten("2026-12-03T10:15:3xZ")).isNull();
        assertThat(Envelope.asWritten("2024-02-29T10:15:30.5Z")).isEqualTo(Instant.parse("2024-02-29T10:15:30.500Z"));

        assertThat(envelope("2026-12-03T11:15:30.25+01:00").time()).isEqualTo(Instant.parse("2026-12-03T10:15:30.250Z"));
        assertThatThrownBy(() -> envelope("2026-02-29T10:15:30Z")).isInstanceOf(UnsupportedEventException.class)
                .hasMessageContaining("ce_time");
    }

    private static Envelope envelope(String time) {
        Map<String, String> headers = new HashMap<>(Envelope.origin("e-1", "/test", ToolTask.class, "acme", "c-1", "r-1").toHeaders());
        headers.put(CloudEventHeaders.TIME, time);
        return Envelope.fromHeaders(headers::get);
    }
}
