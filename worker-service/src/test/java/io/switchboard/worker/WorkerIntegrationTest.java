package io.switchboard.worker;

import io.micrometer.core.instrument.Counter;
import io.switchboard.events.testing.RunEventSamples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.tools.ToolFailure;
import io.switchboard.worker.session.SessionStore;
import io.switchboard.worker.tools.ToolOutputCache;
import io.switchboard.worker.tools.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;

/**
 * The worker against the real RabbitMQ, Kafka, Redis and Memcached. Its context is closed after
 * the class, so its consumers take no tasks meant for another test's worker.
 */
@SpringBootTest(properties = "switchboard.session.lease=300ms")
@ActiveProfiles("local")
@DirtiesContext
class WorkerIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    SessionStore sessions;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RunEventLog runLog;

    @Autowired
    TokenBudgets budgets;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Tools tools;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    private HttpServer sink;
    private final AtomicInteger busyAnswers = new AtomicInteger();
    private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startSink() throws IOException {
        sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/flaky", exchange -> {
            idempotencyKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            int status = busyAnswers.getAndDecrement() > 0 ? 503 : 200;
            byte[] body = "Recovered and ready.".getBytes();
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        sink.start();
    }

    @AfterEach
    void stopSink() {
        sink.stop(0);
    }

    @Test
    void runsATaskAndPublishesItsOutcomeCausedByTheTask() {
        ToolTask task = task("math.eval", Map.of("expression", "sqrt(16)*3"));
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(task);

            ConsumerRecord<String, byte[]> record = called.await(ofTask(task), WAIT);
            ToolCalled outcome = EventCodec.decode(ToolCalled.class, record.value());
            assertThat(outcome.outcome().status()).isEqualTo(ToolStatus.SUCCEEDED);
            assertThat(outcome.outcome().output()).containsEntry("value", 12);
            assertThat(outcome.taskCount()).isEqualTo(1);
            assertThat(CloudEventRecords.header(record.headers(), CloudEventHeaders.TYPE)).isEqualTo("agent.tool_called.v1");
            assertThat(CloudEventRecords.header(record.headers(), CloudEventHeaders.CAUSATION_ID)).isEqualTo(task.taskId());
            assertThat(CloudEventRecords.header(record.headers(), CloudEventHeaders.TENANT_ID)).isEqualTo("acme");
            assertThat(record.key()).isEqualTo(task.conversationId());
        }
    }

    @Test
    void theBackgroundLaneKeepsFewerConsumersWhileInteractiveTasksComeAndAllOfThemOnceTheyStop() {
        SimpleMessageListenerContainer background = (SimpleMessageListenerContainer) listeners.getListenerContainer("background-tool-tasks");
        await().atMost(WAIT).until(background::getActiveConsumerCount, count -> count == 40);

        // An interactive task every 250 ms: a consumer let go stops only once its wait for a message
        // (up to a second) is over, which can take longer than a single task keeps the lane busy.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            publish(task("math.eval", Map.of("expression", "1+1")));
            return background.getActiveConsumerCount() == 8;
        });
        await().atMost(WAIT).until(background::getActiveConsumerCount, count -> count == 40);
    }

    @Test
    void anOutcomeTakesItsTasksLaneNotItsPriorityClass() {
        ToolTask planned = task("math.eval", Map.of("expression", "1+2"));
        ToolTask task = new ToolTask(planned.taskId(), planned.runId(), planned.conversationId(), planned.agent(), 1, 0, 1,
                true, planned.tool(), planned.args(), Priority.INTERACTIVE, false, Priority.BACKGROUND);
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED_BACKGROUND)) {
            publish(task);

            ToolCalled outcome = EventCodec.decode(ToolCalled.class, called.await(ofTask(task), WAIT).value());
            assertThat(outcome.outcome().output()).containsEntry("value", 3);
        }
    }

    @Test
    void aDeterministicToolCalledAgainWithTheSameArgumentsIsServedFromTheCache() {
        String text = "Kafka keeps events in order within a partition. Memcached forgets. Run " + UUID.randomUUID() + " is here.";
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("text", text);
        args.put("question", "How does Kafka order events?");
        args.put("source", "notes");
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("source", "notes");
        reordered.put("question", "How does Kafka order events?");
        reordered.put("text", text);
        ToolTask first = task("text.summarize", args);
        ToolTask second = task("text.summarize", reordered);
        double cachedBefore = executions("text.summarize", "cached");
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(first);
            ToolCalled ran = EventCodec.decode(ToolCalled.class, called.await(ofTask(first), WAIT).value());
            publish(second);
            ToolCalled served = EventCodec.decode(ToolCalled.class, called.await(ofTask(second), WAIT).value());

            assertThat(ran.outcome().cached()).isFalse();
            assertThat(served.outcome().cached()).isTrue();
            assertThat(served.outcome().status()).isEqualTo(ToolStatus.SUCCEEDED);
            assertThat(served.outcome().output()).isEqualTo(ran.outcome().output())
                    .containsEntry("summary", "Kafka keeps events in order within a partition.");
            await().atMost(WAIT).until(() -> executions("text.summarize", "cached") == cachedBefore + 1);
            assertThat(redis.getExpire(ToolOutputCache.key("acme", tools.metadata("text.summarize"), args)))
                    .isBetween(1L, Duration.ofMinutes(10).toSeconds());
        }
    }

    /** {@code text.words} comes from a jar-like test package with its own auto-configuration, not from the worker. */
    @Test
    void aToolFromAnotherJarIsRunWithTheMetadataItBrings() {
        Map<String, Object> args = Map.of("text", "tools come as jars " + UUID.randomUUID());
        ToolTask first = task("text.words", args);
        ToolTask second = task("text.words", args);
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(first);
            ToolCalled ran = EventCodec.decode(ToolCalled.class, called.await(ofTask(first), WAIT).value());
            publish(second);
            ToolCalled served = EventCodec.decode(ToolCalled.class, called.await(ofTask(second), WAIT).value());

            assertThat(ran.outcome().status()).isEqualTo(ToolStatus.SUCCEEDED);
            assertThat(ran.outcome().output()).containsEntry("words", 5);
            assertThat(ran.outcome().cached()).isFalse();
            assertThat(served.outcome().cached()).as("text.words says it is deterministic").isTrue();
            assertThat(tools.metadata("text.words").tokens()).isEqualTo(5);
        }
    }

    @Test
    void aCachedOutputIsNeverServedToAnotherTenant() {
        Map<String, Object> args = Map.of("expression", "6*7+" + ThreadLocalRandom.current().nextLong(1_000_000_000_000L));
        ToolTask acme = task("math.eval", args);
        ToolTask globex = task("math.eval", args);
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(acme, "acme");
            assertThat(EventCodec.decode(ToolCalled.class, called.await(ofTask(acme), WAIT).value()).outcome().cached()).isFalse();
            publish(globex, "globex");

            ToolCalled outcome = EventCodec.decode(ToolCalled.class, called.await(ofTask(globex), WAIT).value());
            assertThat(outcome.outcome().cached()).isFalse();
            assertThat(outcome.outcome().status()).isEqualTo(ToolStatus.SUCCEEDED);
        }
    }

    @Test
    void aToolThatIsNotDeterministicIsNeverServedFromTheCache() {
        Map<String, Object> args = Map.of("url", "http://127.0.0.1:" + sink.getAddress().getPort() + "/flaky");
        ToolTask first = task("http.fetch", args);
        ToolTask second = task("http.fetch", args);
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(first);
            called.await(ofTask(first), WAIT);
            publish(second);

            ToolCalled outcome = EventCodec.decode(ToolCalled.class, called.await(ofTask(second), WAIT).value());
            assertThat(outcome.outcome().cached()).isFalse();
            assertThat(outcome.outcome().output()).containsEntry("text", "Recovered and ready.");
            assertThat(idempotencyKeys).containsExactly(first.taskId(), second.taskId());
        }
    }

    @Test
    void aFailureThatMayPassIsRetriedAfterADelayWithTheSameIdempotencyKey() {
        busyAnswers.set(2);
        ToolTask task = task("http.fetch", Map.of("url", "http://127.0.0.1:" + sink.getAddress().getPort() + "/flaky"));
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(task);

            ToolCalled outcome = EventCodec.decode(ToolCalled.class, called.await(ofTask(task), WAIT).value());
            assertThat(outcome.outcome().status()).isEqualTo(ToolStatus.SUCCEEDED);
            assertThat(outcome.outcome().attempts()).isEqualTo(3);
            assertThat(outcome.outcome().output()).containsEntry("text", "Recovered and ready.");
            assertThat(idempotencyKeys).hasSize(3).containsOnly(task.taskId());
        }
    }

    @Test
    void aTaskThatKeepsFailingIsDeadLetteredWithTheReasonAndTheRunIsTold() {
        busyAnswers.set(100);
        ToolTask task = task("http.fetch", Map.of("url", "http://127.0.0.1:" + sink.getAddress().getPort() + "/flaky"));
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(task);

            ToolCalled outcome = EventCodec.decode(ToolCalled.class, called.await(ofTask(task), WAIT).value());
            assertThat(outcome.outcome().status()).isEqualTo(ToolStatus.FAILED);
            assertThat(outcome.outcome().attempts()).isEqualTo(3);
            assertThat(outcome.outcome().error()).endsWith("answered 503");
            assertThat(idempotencyKeys).hasSize(3);

            Message deadLetter = deadLetter(task.taskId());
            assertThat(deadLetter.getMessageProperties().getHeaders())
                    .containsEntry(TaskQueues.ATTEMPT_HEADER, 3)
                    .containsEntry("x-original-exchange", TaskQueues.WORK_EXCHANGE)
                    .containsEntry(TaskQueues.FAILURE_EXCEPTION_HEADER, ToolFailure.class.getName());
            assertThat((String) deadLetter.getMessageProperties().getHeaders().get(TaskQueues.FAILURE_REASON_HEADER))
                    .endsWith("answered 503");
        }
    }

    @Test
    void aBackgroundTaskIsRetriedOnItsLanesTiersBackToItsLanesQueue() {
        busyAnswers.set(100);
        ToolTask planned = task("http.fetch", Map.of("url", "http://127.0.0.1:" + sink.getAddress().getPort() + "/flaky"));
        ToolTask task = new ToolTask(planned.taskId(), planned.runId(), planned.conversationId(), planned.agent(), 1, 0, 1,
                true, planned.tool(), planned.args(), Priority.BACKGROUND, false);
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED_BACKGROUND)) {
            publish(task, "acme", TaskQueues.BACKGROUND_WORK_ROUTING_KEY);

            ToolCalled outcome = EventCodec.decode(ToolCalled.class, called.await(ofTask(task), WAIT).value());
            assertThat(outcome.outcome().status()).isEqualTo(ToolStatus.FAILED);
            assertThat(outcome.outcome().attempts()).isEqualTo(3);

            Message deadLetter = deadLetter(task.taskId());
            assertThat(deadLetter.getMessageProperties().getHeaders())
                    .containsEntry("x-original-routing-key", TaskQueues.BACKGROUND_WORK_ROUTING_KEY);
            assertThat(deadLetter.getMessageProperties().getXDeathHeader()).extracting(death -> (Object) death.get("queue"))
                    .containsExactlyInAnyOrder(TaskQueues.retryTier(1).queue(Priority.BACKGROUND),
                            TaskQueues.retryTier(2).queue(Priority.BACKGROUND));
        }
    }

    @Test
    void aTaskOfARunThatEndedIsSkipped() {
        ToolTask task = task("http.fetch", Map.of("url", "http://127.0.0.1:" + sink.getAddress().getPort() + "/flaky"));
        runLog.append("acme", task.runId(), task.runId() + ".cancelled", RunEventSamples.cancelled());
        double skippedBefore = executions("http.fetch", "skipped");
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(task);

            await().atMost(WAIT).until(() ->
                    executions("http.fetch", "skipped") > skippedBefore);
            assertThat(called.seen(ofTask(task))).isEmpty();
            assertThat(idempotencyKeys).doesNotContain(task.taskId());
        }
    }

    @Test
    void aTaskBeyondItsRunsTokenBudgetFailsWithTheReasonAndTheToolIsNotCalled() {
        long n = System.nanoTime();
        ToolTask first = task("math.eval", Map.of("expression", "1+" + n));
        ToolTask second = new ToolTask(first.runId() + ".s1.t1", first.runId(), first.conversationId(), "test", 1, 1, 2, true,
                "math.eval", Map.of("expression", "2+" + n), Priority.INTERACTIVE, false);
        assertThat(budgets.admit("acme", first.runId(), Long.MAX_VALUE / 2, 15, 10).admitted()).isTrue();
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(first);
            assertThat(EventCodec.decode(ToolCalled.class, called.await(ofTask(first), WAIT).value()).outcome().status())
                    .isEqualTo(ToolStatus.SUCCEEDED);
            publish(second);

            ToolCalled refused = EventCodec.decode(ToolCalled.class, called.await(ofTask(second), WAIT).value());
            assertThat(refused.outcome().status()).isEqualTo(ToolStatus.FAILED);
            assertThat(refused.outcome().error())
                    .isEqualTo("token budget exceeded: the run's budget has 10 of 15 tokens used and the task needs 10");
            assertThat(budgets.run("acme", first.runId()).used()).isEqualTo(10);
        }
    }

    @Test
    void anUnreadableTaskIsDeadLetteredAtOnce() {
        String id = UUID.randomUUID().toString();
        MessageProperties properties = headers(Envelope.origin(id, "/test", ToolTask.class, "acme", "corr", "run-" + id));
        properties.setMessageId(id);
        rabbit.send(TaskQueues.WORK_EXCHANGE, TaskQueues.WORK_ROUTING_KEY, new Message("{\"step\": \"x\"".getBytes(), properties));

        Message deadLetter = deadLetter(id);
        assertThat((String) deadLetter.getMessageProperties().getHeaders().get(TaskQueues.FAILURE_REASON_HEADER))
                .startsWith("payload is not a valid tool.task.v1");
    }

    @Test
    void notesRememberedInAConversationAreRecalledLater() {
        ToolTask remember = task("session.notes", Map.of("remember", "The staging database listens on 5433"));
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(remember);
            called.await(ofTask(remember), WAIT);
            ToolTask recall = new ToolTask(UUID.randomUUID().toString(), remember.runId(), remember.conversationId(), "notes",
                    1, 0, 1, true, "session.notes", Map.of("recall", "database"), Priority.INTERACTIVE, false);
            publish(recall);

            ToolCalled outcome = EventCodec.decode(ToolCalled.class, called.await(ofTask(recall), WAIT).value());
            assertThat(outcome.outcome().output()).containsEntry("facts", List.of("The staging database listens on 5433"));
        }
    }

    @Test
    void aWriterWhoseLeaseExpiredCannotWrite() {
        String conversation = "conv-" + UUID.randomUUID();
        SessionStore.Lease first = sessions.lock("acme", conversation).orElseThrow();
        await().atMost(WAIT).until(() -> sessions.lock("acme", conversation).isPresent());

        assertThat(sessions.append(first, "stale write")).isFalse();
        assertThat(sessions.facts("acme", conversation)).isEmpty();
    }

    private void publish(ToolTask task) {
        publish(task, "acme");
    }

    private void publish(ToolTask task, String tenantId) {
        publish(task, tenantId, TaskQueues.WORK_ROUTING_KEY);
    }

    private void publish(ToolTask task, String tenantId, String routingKey) {
        RunBudgets.open(budgets, redis, tenantId, task.runId());
        MessageProperties properties = headers(Envelope.origin(task.taskId(), "/test", ToolTask.class, tenantId,
                "corr-" + task.runId(), task.runId()));
        properties.setMessageId(task.taskId());
        properties.setPriority(task.priority().amqpPriority());
        rabbit.send(TaskQueues.WORK_EXCHANGE, routingKey, new Message(EventCodec.encode(task), properties));
    }

    private double executions(String tool, String outcome) {
        return meters.find("switchboard.tool.executions").tags("tool", tool, "outcome", outcome).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static MessageProperties headers(Envelope envelope) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(CloudEventHeaders.JSON);
        envelope.toHeaders().forEach(properties::setHeader);
        return properties;
    }

    private Message deadLetter(String messageId) {
        return await().atMost(WAIT).until(() -> rabbit.receive(TaskQueues.DEAD_LETTER_QUEUE, 200),
                message -> message != null && messageId.equals(message.getMessageProperties().getMessageId()));
    }

    private static ToolTask task(String tool, Map<String, Object> args) {
        String runId = UUID.randomUUID().toString();
        return new ToolTask(runId + ".s1.t0", runId, "conv-" + runId, "test", 1, 0, 1, true, tool, args, Priority.INTERACTIVE, false);
    }

    private static java.util.function.Predicate<ConsumerRecord<String, byte[]>> ofTask(ToolTask task) {
        return record -> EventCodec.decode(ToolCalled.class, record.value()).outcome().taskId().equals(task.taskId());
    }
}
