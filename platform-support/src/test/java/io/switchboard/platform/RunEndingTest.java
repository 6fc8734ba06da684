package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.switchboard.events.AgentCompleted;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.EventIds;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventSerializer;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.testing.TopicTail;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/** Every way a run ends goes through one component, against the real Redis and Kafka. */
class RunEndingTest {

    private static final Map<String, Object> KAFKA = Map.of("bootstrap.servers", TopicTail.bootstrap());
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final StringRedisTemplate redis = RedisForTests.connect();
    private final RunEventLog log = new RunEventLog(redis, Duration.ofMinutes(10));
    private final KafkaTemplate<String, Object> kafka = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(KAFKA,
            new StringSerializer(), new CloudEventSerializer()));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RunEnding ending = new RunEnding(log, new EventPublisher(kafka, Duration.ofSeconds(10), Tracer.NOOP), meters);
    private final String runId = "run-ending-test-" + UUID.randomUUID();
    private final RunAccepted accepted = new RunAccepted(runId, "conv-" + runId, "calculator", Priority.INTERACTIVE,
            "corr-" + runId, Instant.now(), Instant.now().plusSeconds(60));

    private final TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED);

    @AfterEach
    void cleanUp() {
        log.discard("acme", runId);
        kafka.destroy();
        completed.close();
    }

    @Test
    void theFirstEndWinsARepeatIsAnnouncedAgainUnderItsIdAndAnotherEndIsRefused() {
        log.appendAccepted("acme", runId, "accepted", accepted);
        assertThat(log.overdue(Instant.now().plusSeconds(120), 100_000)).contains(new RunEventLog.RunRef("acme", runId));
        Envelope cause = Envelope.origin("cause-" + runId, "/test", AgentCompleted.class, "acme", "corr-" + runId, runId);

        RunEnding.Result first = ending.end(cause, "/test", RunStatus.SUCCEEDED, Map.of("answer", 42), null,
                accepted.conversationId(), "calculator");
        RunEnding.Result repeat = ending.end(cause, "/test", RunStatus.SUCCEEDED, Map.of("answer", 42), null,
                accepted.conversationId(), "calculator");
        RunEnding.Result cancel = ending.end("acme", accepted, EventIds.EndedBy.CANCEL, "/test", RunStatus.CANCELLED,
                "cancelled by the client");

        assertThat(List.of(first, repeat, cancel)).containsExactly(
                RunEnding.Result.ENDED, RunEnding.Result.REPEATED, RunEnding.Result.ALREADY_ENDED);
        assertThat(log.read("acme", runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("run.accepted", "run.completed");
        RunEnded end = (RunEnded) log.read("acme", runId, null).getLast().event();
        assertThat(end.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(end.output()).isEqualTo(Map.of("answer", 42));
        assertThat(log.overdue(Instant.now().plusSeconds(120), 100_000)).doesNotContain(new RunEventLog.RunRef("acme", runId));
        // the pipeline's end has no run.accepted at hand: its append read it for the run's duration
        assertThat(meters.get("switchboard.run.duration").tag("status", "succeeded").timer().count()).isEqualTo(1);

        assertThat(completed.awaitAll(ofRun(), 2, WAIT)).hasSize(2).allSatisfy(record -> {
            assertThat(header(record, CloudEventHeaders.ID)).isEqualTo(EventIds.runEnded(runId, EventIds.EndedBy.PIPELINE));
            assertThat(header(record, CloudEventHeaders.CAUSATION_ID)).isEqualTo("cause-" + runId);
            assertThat(EventCodec.decode(AgentCompleted.class, record.value()).status()).isEqualTo(RunStatus.SUCCEEDED);
        });
    }

    @Test
    void aCancelTakesTheRunsCorrelationFromItsAcceptedEvent() {
        log.append("acme", runId, "accepted", accepted);
        assertThat(ending.end("acme", accepted, EventIds.EndedBy.CANCEL, "/test", RunStatus.CANCELLED,
                "cancelled by the client")).isEqualTo(RunEnding.Result.ENDED);

        assertThat(log.ended("acme", runId)).hasValue("run.cancelled");
        ConsumerRecord<String, byte[]> record = completed.await(ofRun(), WAIT);
        assertThat(header(record, CloudEventHeaders.CORRELATION_ID)).isEqualTo("corr-" + runId);
        assertThat(record.key()).isEqualTo("conv-" + runId);
        AgentCompleted announced = EventCodec.decode(AgentCompleted.class, record.value());
        assertThat(announced.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(announced.error()).isEqualTo("cancelled by the client");
    }

    private Predicate<ConsumerRecord<String, byte[]>> ofRun() {
        return record -> runId.equals(header(record, CloudEventHeaders.RUN_ID));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
