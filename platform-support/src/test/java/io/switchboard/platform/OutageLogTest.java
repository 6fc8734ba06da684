package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OutageLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(OutageLogTest.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(-5_000_000_000L);
    private final OutageLog outages = new OutageLog(logger, Duration.ofSeconds(10), now::get);

    @BeforeEach
    void listen() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
    }

    @Test
    void logsTheFirstAtOnceThenOneLinePerIntervalCountingTheRest() {
        for (int request = 0; request < 1_000; request++) {
            outages.warn("answered 503 to {}: {}", "uri=/v1/runs/" + request, "RedisConnectionFailureException");
        }
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        outages.warn("answered 503 to {}: {}", "uri=/v1/runs/late", "RedisConnectionFailureException");
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("answered 503 to uri=/v1/runs/0: RedisConnectionFailureException");

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        outages.warn("answered 503 to {}: {}", "uri=/v1/runs/next", "RedisConnectionFailureException");
        outages.warn("answered 503 to {}: {}", "uri=/v1/runs/after", "RedisConnectionFailureException");

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "answered 503 to uri=/v1/runs/0: RedisConnectionFailureException",
                "answered 503 to uri=/v1/runs/next: RedisConnectionFailureException (1000 more like it since the last line)");
        assertThat(lines.list).extracting(ILoggingEvent::getLevel).containsOnly(ch.qos.logback.classic.Level.WARN);
    }

    @Test
    void aLastArgumentThatIsAThrowableIsTheLineCause() {
        outages.warn("run {} not accepted", "run-1", new IllegalStateException("Kafka did not acknowledge"));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        outages.warn("run {} not accepted", "run-2", new IllegalStateException("Kafka did not acknowledge"));
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        outages.warn("run {} not accepted", "run-3", new IllegalStateException("still not"));

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("run run-1 not accepted", "run run-3 not accepted (1 more like it since the last line)");
        assertThat(lines.list).extracting(line -> line.getThrowableProxy().getMessage())
                .containsExactly("Kafka did not acknowledge", "still not");
    }
}
