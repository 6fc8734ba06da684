package io.switchboard.composer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.ToolResult;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.platform.RunEventLog;
import io.switchboard.store.RunStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.test.context.ActiveProfiles;

/** The store's writer and the recovery of runs Redis lost, against the real Redis, PostgreSQL and Kafka. */
@SpringBootTest(properties = "switchboard.store.recovery-interval=1s")
@ActiveProfiles("local")
class RunStoreIntegrationTest {

    @Autowired
    RunStore store;

    @Autowired
    RunEventLog runEvents;

    @Autowired
    RunRecorder recorder;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    KafkaTemplate<String, Object> kafka;

    @Test
    void anEventTheStoreRefusesIsDeadLetteredWithTheReasonAndTheOthersAreStored() throws Exception {
        String good = UUID.randomUUID().toString();
        String nul = UUID.randomUUID().toString();
        String conversation = "conv-" + UUID.randomUUID();
        try (TopicTail deadLetters = TopicTail.open(Topics.deadLetter(Topics.AGENT_REQUESTED))) {
            // No run id: the store cannot key it. Then, behind it on the same partition, a run with a NUL in its input.
            kafka.send(CloudEventRecords.record(Topics.AGENT_REQUESTED, conversation, envelope("poison-" + good),
                    new AgentRequested(null, conversation, "calculator", Map.of(), Priority.INTERACTIVE, Instant.now()))).get();
            kafka.send(CloudEventRecords.record(Topics.AGENT_REQUESTED, conversation, envelope(nul),
                    new AgentRequested(nul, conversation, "calculator", Map.of("expressions", List.of("1+1\u0000")),
                            Priority.INTERACTIVE, Instant.now()))).get();
            kafka.send(CloudEventRecords.record(Topics.AGENT_REQUESTED, conversation, envelope(good),
                    new AgentRequested(good, conversation, "calculator", Map.of("expressions", List.of("2+2")),
                            Priority.INTERACTIVE, Instant.now()))).get();

            ConsumerRecord<String, byte[]> dead = deadLetters.await(record -> new String(record.value(), StandardCharsets.UTF_8)
                    .contains("\"conversationId\":\"" + conversation + "\""), Duration.ofSeconds(90));
            assertThat(new String(dead.headers().lastHeader(Topics.FAILURE_REASON_HEADER).value(), StandardCharsets.UTF_8))
                    .contains("null value in column \"run_id\"");
            await().atMost(Duration.ofSeconds(30)).until(() -> store.run("acme", good).isPresent());
            assertThat(store.run("acme", nul).orElseThrow().input()).isEqualTo(Map.of("expressions", List.of("1+1")));
        }
    }

    @Test
    void theRunsEndedBeforeAnEventTheStoreRefusesHaveTheirStreamsArchived() {
        String ended = UUID.randomUUID().toString();
        String conversation = "conv-" + ended;
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        runEvents.append("acme", ended, "req-" + ended, new RunAccepted(ended, conversation, "calculator", Priority.INTERACTIVE,
                "corr-" + ended, now, now.plusSeconds(60)));
        // One poll: the run, its end, then an event the store refuses (no run id).
        List<ConsumerRecord<String, Object>> poll = List.of(
                consumed(Topics.AGENT_REQUESTED, conversation, envelope(ended), new AgentRequested(ended, conversation, "calculator",
                        Map.of("expressions", List.of("1+1")), Priority.INTERACTIVE, now)),
                consumed(Topics.AGENT_COMPLETED, conversation,
                        Envelope.origin("done-" + ended, "/test", AgentCompleted.class, "acme", "corr-" + ended, ended),
                        new AgentCompleted(ended, conversation, "calculator", RunStatus.SUCCEEDED, Map.of("results", List.of(2)), null, now)),
                consumed(Topics.AGENT_REQUESTED, conversation, envelope("poison-" + ended), new AgentRequested(null, conversation,
                        "calculator", Map.of(), Priority.INTERACTIVE, now)));

        assertThatThrownBy(() -> recorder.onEvents(poll)).isInstanceOfSatisfying(BatchListenerFailedException.class,
                refused -> assertThat(refused.getIndex()).isEqualTo(2));

        assertThat(store.run("acme", ended).orElseThrow().status()).isEqualTo("succeeded");
        assertThat(store.events("acme", ended)).extracting(RunEventLog.Entry::name).containsExactly("run.accepted");
    }

    /** A record as a poll hands it over: the headers the producer gave it, its value already read. */
    private static ConsumerRecord<String, Object> consumed(String topic, String key, Envelope envelope, Record event) {
        ProducerRecord<String, Object> sent = CloudEventRecords.record(topic, key, envelope, event);
        return new ConsumerRecord<>(topic, 0, 0, 0, TimestampType.CREATE_TIME, -1, -1, key, sent.value(), sent.headers(),
                Optional.empty());
    }

    private static Envelope envelope(String runId) {
        return Envelope.origin("req-" + runId, "/test", AgentRequested.class, "acme", "corr-" + runId, runId);
    }

    @Test
    void aRunWhoseLiveStateWasLostEndsFailedAtItsDeadlineSayingSo() {
        String lost = UUID.randomUUID().toString();
        String headless = UUID.randomUUID().toString();
        String live = UUID.randomUUID().toString();
        Instant createdAt = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
        Instant deadline = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
        store.record(List.of(requested(lost, createdAt, deadline), requested(headless, createdAt, deadline),
                requested(live, createdAt, deadline.plusSeconds(3600))));
        // As after a flush: the lost run has nothing in Redis; the headless one only what came after
        // (a tool's outcome), without its run.accepted or deadline watch; the live one all of it.
        runEvents.append("acme", headless, "late-" + headless, new ToolResult(headless + ".s1.t0", 1, "math.eval",
                ToolStatus.SUCCEEDED, 1, 3, false, Map.of("expression", "1+1"), Map.of("value", 2), null));
        runEvents.append("acme", live, "req-" + live, new RunAccepted(live, "conv-" + live, "calculator", Priority.INTERACTIVE,
                "corr-" + live, createdAt, deadline.plusSeconds(3600)));
        runEvents.watchDeadline("acme", live, deadline.plusSeconds(3600));

        await().atMost(Duration.ofSeconds(30)).until(() -> runEvents.ended("acme", lost).isPresent()
                && runEvents.ended("acme", headless).isPresent());

        List<RunEventLog.Entry> entries = runEvents.read("acme", lost, null);
        assertThat(entries).extracting(RunEventLog.Entry::name).containsExactly("run.accepted", "run.failed");
        RunAccepted accepted = (RunAccepted) entries.getFirst().event();
        assertThat(accepted.correlationId()).isEqualTo("corr-" + lost);
        assertThat(accepted.deadline()).isEqualTo(deadline);
        assertThat(((RunEnded) entries.getLast().event()).error()).startsWith("the run did not end by its deadline");
        assertThat(runEvents.read("acme", headless, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("tool.succeeded", "run.failed");
        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(store.run("acme", lost).orElseThrow().status())
                && "failed".equals(store.run("acme", headless).orElseThrow().status()));

        assertThat(runEvents.read("acme", live, null)).hasSize(1);
        assertThat(redis.opsForZSet().score(RedisKeys.RUN_DEADLINES, "acme/" + live)).isNotNull();
        runEvents.unwatch("acme", live);
    }

    private static RunStore.Event requested(String runId, Instant createdAt, Instant deadline) {
        return new RunStore.Event(Envelope.origin("req-" + runId, "/test", AgentRequested.class, "acme", "corr-" + runId, runId),
                new AgentRequested(runId, "conv-" + runId, "calculator", Map.of("expressions", List.of("1+1")),
                        Priority.INTERACTIVE, createdAt, null, List.of(), deadline));
    }
}
