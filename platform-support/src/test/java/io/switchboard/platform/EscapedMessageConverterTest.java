package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class EscapedMessageConverterTest {

    @Test
    void aValueFromARequestCannotForgeALogLine() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("test");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "unknown agent {}", null,
                new Object[] {"x\n2026-12-02T00:00:00Z  INFO admin logged in\r\u0007\u2028"});

        String line = new EscapedMessageConverter().convert(event);

        assertThat(line).isEqualTo("unknown agent x\\n2026-12-02T00:00:00Z  INFO admin logged in\\r\\u0007\\u2028")
                .doesNotContain("\n", "\r");
        assertThat(EscapedMessageConverter.escape("plain text, tab\tkept")).isEqualTo("plain text, tab\\tkept");
    }
}
