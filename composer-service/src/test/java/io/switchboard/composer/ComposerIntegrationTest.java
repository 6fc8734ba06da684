package io.switchboard.composer;

import io.switchboard.events.testing.RunEventSamples;
import io.switchboard.events.RedisKeys;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStatus;
import io.switchboard.events.RunStream;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.testing.RawRecords;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.platform.RunEventLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/** The composer against the real Kafka and Redis. */
@SpringBootTest
@ActiveProfiles("local")
class ComposerIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    KafkaTemplate<String, Object> kafka;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RunEventLog runLog;

    @Test
    void composesTheFinalResponseOnceEveryTaskOfTheLastStepIsIn() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            called(runId, "e1", 1, 2, true, succeeded(runId, 0, "2+2", 4));
            called(runId, "e2", 1, 2, true, succeeded(runId, 1, "sqrt(16)*3", 12));

            AgentCompleted done = EventCodec.decode(AgentCompleted.class, completed.await(ofRun(runId), WAIT).value());
            assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(done.output()).isEqualTo(Map.of("results", List.of(
                    Map.of("expression", "2+2", "value", 4), Map.of("expression", "sqrt(16)*3", "value", 12))));
            assertThat(runEvents(runId)).containsExactly("tool.succeeded", "tool.succeeded", "step.completed", "run.completed");
        }
    }

    @Test
    void theRunStreamSaysWhichToolOutputsWereServedFromTheCache() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            called(runId, "e1", 1, 2, true, succeeded(runId, 0, "2+2", 4, false));
            called(runId, "e2", 1, 2, true, succeeded(runId, 1, "2+2", 4, true));
            completed.await(ofRun(runId), WAIT);

            assertThat(runEventData(runId, "tool.succeeded")).extracting(data -> data.get("cached").booleanValue())
                    .containsExactly(false, true);
        }
    }

    @Test
    void aRepeatedOutcomeCountsOnce() throws Exception {
        String runId = UUID.randomUUID().toString();
        String marker = UUID.randomUUID().toString();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            ToolOutcome first = succeeded(runId, 0, "1", 1);
            called(runId, "e1", 1, 2, true, first);
            called(runId, "e1", 1, 2, true, first);
            called(runId, "e1-rerun", 1, 2, true, first);
            called("conv-" + runId, marker, "m1", 1, 1, true, succeeded(marker, 0, "1", 1));
            completed.await(ofRun(marker), WAIT);
            assertThat(completed.seen(ofRun(runId))).isEmpty();

            called(runId, "e2", 1, 2, true, succeeded(runId, 1, "2", 2));

            completed.await(ofRun(runId), WAIT);
            assertThat(runEvents(runId)).containsExactly("tool.succeeded", "tool.succeeded", "tool.succeeded",
                    "step.completed", "run.completed");

            called(runId, "e2", 1, 2, true, succeeded(runId, 1, "2", 2));
            String later = UUID.randomUUID().toString();
            called("conv-" + runId, later, "m2", 1, 1, true, succeeded(later, 0, "1", 1));
            completed.await(ofRun(later), WAIT);
            assertThat(completed.seen(ofRun(runId))).extracting(record -> CloudEventRecords.header(record.headers(),
                    CloudEventHeaders.ID)).containsExactly(runId + ".completed", runId + ".completed");
            assertThat(runEvents(runId)).hasSize(5);
        }
    }

    @Test
    void aCompleteStepThatIsNotTheLastGoesBackToThePlanner() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail steps = TopicTail.open(Topics.AGENT_STEP_COMPLETED)) {
            called(runId, "e1", 1, 2, false, succeeded(runId, 0, "1", 1));
            called(runId, "e2", 1, 2, false, failed(runId, 1, "cannot evaluate"));

            ConsumerRecord<String, byte[]> record = steps.await(ofRun(runId), WAIT);
            StepCompleted step = EventCodec.decode(StepCompleted.class, record.value());
            assertThat(step.step()).isEqualTo(1);
            assertThat(step.outcomes()).extracting(ToolOutcome::status).containsExactly(ToolStatus.SUCCEEDED, ToolStatus.FAILED);
            assertThat(CloudEventRecords.header(record.headers(), CloudEventHeaders.TYPE)).isEqualTo("agent.step_completed.v1");
        }
    }

    @Test
    void anOpenEndedStepWhoseEveryTaskFailedGoesToThePlannerInsteadOfEndingTheRun() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail steps = TopicTail.open(Topics.AGENT_STEP_COMPLETED)) {
            Envelope envelope = Envelope.origin(runId + ".e1", "/test", ToolCalled.class, "acme", "corr", runId);
            kafka.send(CloudEventRecords.record(Topics.AGENT_TOOL_CALLED, "conv-" + runId, envelope, new ToolCalled(runId,
                    "conv-" + runId, "assistant", 2, 1, false, failed(runId, 0, "cannot evaluate '1/0'"), true))).get();

            StepCompleted step = EventCodec.decode(StepCompleted.class, steps.await(ofRun(runId), WAIT).value());
            assertThat(step.outcomes()).extracting(ToolOutcome::error).containsExactly("cannot evaluate '1/0'");
            assertThat(runEvents(runId)).containsExactly("tool.failed", "step.completed");
        }
    }

    @Test
    void aStepWhoseEveryTaskFailedFailsTheRunWithTheReasons() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            called(runId, "e1", 1, 1, false, failed(runId, 0, "GET http://x answered 404"));

            AgentCompleted done = EventCodec.decode(AgentCompleted.class, completed.await(ofRun(runId), WAIT).value());
            assertThat(done.status()).isEqualTo(RunStatus.FAILED);
            assertThat(done.error()).isEqualTo("every task of step 1 failed: math.eval " + runId + ".s1.t0: GET http://x answered 404");
            assertThat(runEvents(runId)).containsExactly("tool.failed", "run.failed");
        }
    }

    @Test
    void aRunStillGoingAtItsDeadlineFailsSayingSo() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            runLog.append("acme", runId, runId + ".accepted",
                    RunEventSamples.accepted(runId, Instant.parse("2026-01-01T00:00:00Z")));
            runLog.watchDeadline("acme", runId, Instant.now().minusSeconds(1));

            AgentCompleted done = EventCodec.decode(AgentCompleted.class, completed.await(ofRun(runId), WAIT).value());
            assertThat(done.status()).isEqualTo(RunStatus.FAILED);
            assertThat(done.error()).startsWith("the run did not end by its deadline 2026-01-01T00:00:00Z");
            assertThat(runEvents(runId)).containsExactly("run.accepted", "run.failed");
            assertThat(runLog.overdue(Instant.now(), 100_000)).doesNotContain(new RunEventLog.RunRef("acme", runId));
        }
    }

    @Test
    void anOutcomeOfARunThatEndedIsNotGathered() throws Exception {
        String runId = UUID.randomUUID().toString();
        String marker = UUID.randomUUID().toString();
        runLog.append("acme", runId, runId + ".cancelled", RunEventSamples.cancelled());
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            called(runId, "e1", 1, 1, true, succeeded(runId, 0, "1", 1));
            called("conv-" + runId, marker, "m1", 1, 1, true, succeeded(marker, 0, "1", 1));
            completed.await(ofRun(marker), WAIT);

            assertThat(completed.seen(ofRun(runId))).isEmpty();
            assertThat(runEvents(runId)).containsExactly("run.cancelled");
            assertThat(redis.hasKey("sb:acme:composer:run:" + runId + ":step:1")).isFalse();
        }
    }

    @Test
    void anUnreadableOutcomeGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail deadLetters = TopicTail.open(Topics.deadLetter(Topics.AGENT_TOOL_CALLED))) {
            Envelope envelope = Envelope.origin(UUID.randomUUID().toString(), "/test", ToolCalled.class, "acme", "c", runId);
            ProducerRecord<String, Object> record = CloudEventRecords.record(Topics.AGENT_TOOL_CALLED, "conv", envelope, null);
            RawRecords.send(record.topic(), "conv", "[1, 2", record.headers());

            ConsumerRecord<String, byte[]> deadLetter = deadLetters.await(ofRun(runId), WAIT);
            assertThat(CloudEventRecords.header(deadLetter.headers(), Topics.FAILURE_REASON_HEADER))
                    .startsWith("payload is not a valid agent.tool_called.v1");
            assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).isEqualTo("[1, 2");
        }
    }

    private void called(String runId, String eventId, int step, int taskCount, boolean finalStep, ToolOutcome outcome)
            throws Exception {
        called("conv-" + runId, runId, eventId, step, taskCount, finalStep, outcome);
    }

    /** Records of one conversation share a partition, so they are handled in the order sent. */
    private void called(String conversationId, String runId, String eventId, int step, int taskCount, boolean finalStep,
                        ToolOutcome outcome) throws Exception {
        Envelope envelope = Envelope.origin(runId + "." + eventId, "/test", ToolCalled.class, "acme", "corr", runId);
        ToolCalled called = new ToolCalled(runId, conversationId, "calculator", step, taskCount, finalStep, outcome, false);
        kafka.send(CloudEventRecords.record(Topics.AGENT_TOOL_CALLED, conversationId, envelope, called)).get();
    }

    private static ToolOutcome succeeded(String runId, int index, String expression, int value) {
        return succeeded(runId, index, expression, value, false);
    }

    private static ToolOutcome succeeded(String runId, int index, String expression, int value, boolean cached) {
        return new ToolOutcome(runId + ".s1.t" + index, "math.eval", index, Map.of("expression", expression),
                ToolStatus.SUCCEEDED, Map.of("expression", expression, "value", value), null, 1, 2, cached);
    }

    private static ToolOutcome failed(String runId, int index, String error) {
        return new ToolOutcome(runId + ".s1.t" + index, "math.eval", index, Map.of("expression", "?"),
                ToolStatus.FAILED, null, error, 1, 2, false);
    }

    private List<String> runEvents(String runId) {
        return redis.opsForStream().range(RedisKeys.runEvents("acme", runId), Range.unbounded()).stream()
                .map(r -> (String) r.getValue().get(RunStream.EVENT_FIELD)).toList();
    }

    private List<JsonNode> runEventData(String runId, String event) {
        return redis.opsForStream().range(RedisKeys.runEvents("acme", runId), Range.unbounded()).stream()
                .filter(r -> event.equals(r.getValue().get(RunStream.EVENT_FIELD)))
                .map(r -> EventCodec.mapper().readTree((String) r.getValue().get(RunStream.DATA_FIELD)))
                .toList();
    }

    private static Predicate<ConsumerRecord<String, byte[]>> ofRun(String runId) {
        return record -> runId.equals(CloudEventRecords.header(record.headers(), CloudEventHeaders.RUN_ID));
    }
}
