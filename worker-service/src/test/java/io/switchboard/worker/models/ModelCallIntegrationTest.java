package io.switchboard.worker.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.stream.MessageDelta;
import io.switchboard.events.stream.ModelCompleted;
import io.switchboard.events.testing.ScriptedModel;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.worker.RunBudgets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Model calls through the worker against the real RabbitMQ, Kafka and Redis, with a scripted
 * OpenAI-compatible provider in place of a real one.
 */
@SpringBootTest
@ActiveProfiles("local")
@DirtiesContext
class ModelCallIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ScriptedModel MODEL = ScriptedModel.start();

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RunEventLog runLog;

    @Autowired
    TokenBudgets budgets;

    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) {
        registry.add("switchboard.models.default.base-url", MODEL::baseUrl);
        registry.add("switchboard.models.default.api-key", () -> "sk-test");
        registry.add("switchboard.models.default.model", () -> "gpt-test");
        registry.add("switchboard.models.default.timeout", () -> "10s");
    }

    @AfterAll
    static void stopModel() {
        MODEL.close();
    }

    @Test
    void aStreamedAnswerShowsAsCoalescedDeltasThenModelCompletedAndTheOutcomeCarriesContentAndUsageSettledToTheBudget() {
        String text = "Kafka keeps the order of events within a partition, RabbitMQ delivers tasks by priority, "
                + "Redis holds the run's stream and budgets, and Memcached forgets whatever it likes whenever it likes.";
        MODEL.answer(text).usage(120, 30);
        ToolTask task = modelTask(Map.of());
        assertThat(budgets.admit("acme", task.runId(), Long.MAX_VALUE / 2, 100_000, 0).admitted()).isTrue();

        ToolOutcome outcome = run(task);

        assertThat(outcome.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(outcome.output()).containsEntry("content", text).containsEntry("finishReason", "stop")
                .containsEntry("model", ScriptedModel.MODEL).containsEntry("toolCalls", List.of())
                .containsEntry("usage", Map.of("promptTokens", 120, "completionTokens", 30));
        List<RunEventLog.Entry> entries = runLog.read("acme", task.runId(), null);
        List<MessageDelta> deltas = entries.stream().filter(e -> e.name().equals(MessageDelta.NAME))
                .map(e -> (MessageDelta) e.event()).toList();
        assertThat(deltas).hasSizeBetween(2, text.length() / 40);
        assertThat(deltas).allSatisfy(delta -> assertThat(delta.step()).isEqualTo(1));
        assertThat(String.join("", deltas.stream().map(MessageDelta::text).toList())).isEqualTo(text);
        assertThat(entries.getLast().event()).isEqualTo(new ModelCompleted(1, ScriptedModel.MODEL, "stop",
                new ModelCompleted.Usage(120, 30), List.of()));
        assertThat(budgets.run("acme", task.runId()).used()).isEqualTo(150);
        assertThat(redis.<String, String>opsForHash().entries(RedisKeys.modelUsagePerRun("acme", task.runId())))
                .containsEntry(ScriptedModel.MODEL + ":prompt", "120").containsEntry(ScriptedModel.MODEL + ":completion", "30");
    }

    @Test
    void aToolCallReplyComesBackWithThePlatformsToolNamesAndParsedArguments() {
        MODEL.toolCalls(List.of(new ScriptedModel.ToolCall("call-1", "math_eval", "{\"expression\": \"2+2\"}"),
                new ScriptedModel.ToolCall("call-2", "web_search", "{\"q\": \"kafka\"}"),
                new ScriptedModel.ToolCall("call-3", "math_eval", "2+2")));
        int before = MODEL.requestCount();
        ToolTask task = modelTask(Map.of("tools", List.of(Map.of("name", "math.eval", "description", "Evaluates arithmetic",
                "parameters", Map.of("type", "object", "properties", Map.of("expression", Map.of("type", "string")),
                        "required", List.of("expression"))))));

        ToolOutcome outcome = run(task);

        assertThat(outcome.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(outcome.output()).containsEntry("finishReason", "tool_calls").containsEntry("content", "");
        assertThat(outcome.output().get("toolCalls")).isEqualTo(List.of(
                Map.of("id", "call-1", "tool", "math.eval", "arguments", Map.of("expression", "2+2")),
                Map.of("id", "call-2", "tool", "web_search", "arguments", Map.of("q", "kafka")),
                Map.of("id", "call-3", "tool", "math.eval", "arguments", Map.of(),
                        "argumentsError", "the arguments are not a JSON object: 2+2")));
        assertThat(MODEL.requestCount()).isEqualTo(before + 1);
        assertThat(MODEL.lastRequest().get("tools").toString()).contains("name=math_eval").doesNotContain("math.eval");
        assertThat(runLog.read("acme", task.runId(), null).getLast().event()).isInstanceOfSatisfying(ModelCompleted.class,
                completed -> assertThat(completed.toolCalls()).extracting(ModelCompleted.ToolCallRequest::tool)
                        .containsExactly("math.eval", "web_search", "math.eval"));
    }

    @Test
    void theConversationSoFarWithItsToolCallsAndResultsIsSentAsTheProviderExpects() {
        MODEL.answer("2 + 2 is 4.");
        ToolTask task = modelTask(Map.of(
                "messages", List.of(
                        Map.of("role", "system", "content", "You use tools."),
                        Map.of("role", "user", "content", "What is 2+2?"),
                        Map.of("role", "assistant", "content", "",
                                "toolCalls", List.of(Map.of("id", "call-1", "tool", "math.eval", "arguments", Map.of("expression", "2+2")))),
                        Map.of("role", "tool", "toolCallId", "call-1", "tool", "math.eval", "content", "{\"value\": 4}")),
                "tools", List.of(Map.of("name", "math.eval", "description", "Evaluates arithmetic",
                        "parameters", Map.of("type", "object", "properties", Map.of("expression", Map.of("type", "string"))))),
                "maxTokens", 321));

        ToolOutcome outcome = run(task);

        assertThat(outcome.output()).containsEntry("content", "2 + 2 is 4.");
        Map<String, Object> request = MODEL.lastRequest();
        assertThat(request).containsEntry("stream", true).containsEntry("model", "gpt-test");
        assertThat(request.toString()).containsAnyOf("max_tokens=321", "max_completion_tokens=321");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages = (List<Map<String, Object>>) request.get("messages");
        assertThat(messages).extracting(message -> message.get("role")).containsExactly("system", "user", "assistant", "tool");
        assertThat(messages.get(2).toString()).contains("id=call-1").contains("name=math_eval").contains("expression");
        assertThat(messages.get(3)).containsEntry("tool_call_id", "call-1").containsEntry("content", "{\"value\": 4}");
    }

    @Test
    void a429WithRetryAfterIsTriedAgainNotBeforeItsDelayAndSucceedsOnTheSecondAttempt() {
        MODEL.status(429, Map.of("Retry-After", "1"), null);
        MODEL.answer("Back again.");
        int before = MODEL.requestCount();
        ToolTask task = modelTask(Map.of());

        long started = System.nanoTime();
        ToolOutcome outcome = run(task);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(outcome.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.output()).containsEntry("content", "Back again.");
        assertThat(MODEL.requestCount()).isEqualTo(before + 2);
    }

    @Test
    void anAnswerCutPartWayIsMadeAgainAndItsDeltasSayWhichAttemptWroteThem() {
        String cut = "This first try of the answer is cut off part-way, after more than sixty-four characters were shown to the client.";
        String whole = "The second try answers in full.";
        MODEL.answer(cut).cut();
        MODEL.answer(whole);
        ToolTask task = modelTask(Map.of());
        assertThat(budgets.admit("acme", task.runId(), Long.MAX_VALUE / 2, 100_000, 0).admitted()).isTrue();

        ToolOutcome outcome = run(task);

        assertThat(outcome.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.output()).containsEntry("content", whole).containsEntry("finishReason", "stop");
        List<MessageDelta> deltas = runLog.read("acme", task.runId(), null).stream()
                .filter(e -> e.name().equals(MessageDelta.NAME)).map(e -> (MessageDelta) e.event()).toList();
        assertThat(deltas).extracting(MessageDelta::attempt).isSorted().contains(1, 2).containsOnly(1, 2);
        assertThat(cut).startsWith(text(deltas, 1));
        assertThat(text(deltas, 1)).hasSizeGreaterThanOrEqualTo(DeltaWriter.MAX_CHARS);
        assertThat(text(deltas, 2)).isEqualTo(whole);
    }

    @Test
    void aModelCallMadeBeforeIsNeitherMadeNorPaidForAgainByARedeliveryOrARepeatedTaskOfTheStep() {
        MODEL.answer("Paid for once.").usage(40, 4);
        ToolTask task = modelTask(Map.of());
        assertThat(budgets.admit("acme", task.runId(), Long.MAX_VALUE / 2, 100_000, 0).admitted()).isTrue();
        ToolOutcome first = run(task);
        int after = MODEL.requestCount();

        publish(task);
        ToolTask again = new ToolTask(UUID.randomUUID().toString(), task.runId(), task.conversationId(), task.agent(), task.step(),
                task.index(), task.taskCount(), task.finalStep(), task.tool(), task.args(), task.priority(), true);
        ToolOutcome repeated = run(again);

        assertThat(MODEL.requestCount()).isEqualTo(after);
        assertThat(repeated.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(repeated.output()).isEqualTo(first.output());
        assertThat(runLog.read("acme", task.runId(), null)).filteredOn(e -> e.name().equals(ModelCompleted.NAME)).hasSize(1);
        assertThat(redis.<String, String>opsForHash().entries(RedisKeys.modelUsagePerRun("acme", task.runId())))
                .containsEntry(ScriptedModel.MODEL + ":prompt", "40").containsEntry(ScriptedModel.MODEL + ":completion", "4");
        assertThat(budgets.run("acme", task.runId()).used()).isEqualTo(44);
    }

    @Test
    void aBadRequestFailsTheTaskForGoodWithTheProvidersMessage() {
        MODEL.status(400, Map.of(), "{\"error\": {\"message\": \"max_tokens is too large: 100000\", \"type\": \"invalid_request_error\"}}");
        int before = MODEL.requestCount();
        ToolTask task = modelTask(Map.of("maxTokens", 100_000));

        ToolOutcome outcome = run(task);

        assertThat(outcome.status()).isEqualTo(ToolStatus.FAILED);
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(outcome.error()).isEqualTo("model provider 'default' answered 400: max_tokens is too large: 100000");
        assertThat(MODEL.requestCount()).isEqualTo(before + 1);
        Message deadLetter = await().atMost(WAIT).until(() -> rabbit.receive(TaskQueues.DEAD_LETTER_QUEUE, 200),
                message -> message != null && task.taskId().equals(message.getMessageProperties().getMessageId()));
        assertThat((String) deadLetter.getMessageProperties().getHeaders().get(TaskQueues.FAILURE_REASON_HEADER))
                .contains("answered 400");
    }

    @Test
    void aServerErrorAndAMalformedResponseMayPassAndAreTriedAgain() {
        MODEL.status(500, Map.of(), null);
        MODEL.malformed();
        MODEL.answer("Third time lucky.");
        int before = MODEL.requestCount();
        ToolTask task = modelTask(Map.of());

        ToolOutcome outcome = run(task);

        assertThat(outcome.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(outcome.output()).containsEntry("content", "Third time lucky.");
        assertThat(MODEL.requestCount()).isEqualTo(before + 3);
    }

    @Test
    void aModelCallOverItsRunsBudgetFailsWithoutCallingTheModel() {
        int before = MODEL.requestCount();
        ToolTask task = modelTask(Map.of());
        assertThat(budgets.admit("acme", task.runId(), Long.MAX_VALUE / 2, 100, 0).admitted()).isTrue();

        ToolOutcome outcome = run(task);

        assertThat(outcome.status()).isEqualTo(ToolStatus.FAILED);
        assertThat(outcome.error()).startsWith("token budget exceeded: the run's budget has 0 of 100 tokens used");
        assertThat(MODEL.requestCount()).isEqualTo(before);
    }

    @Test
    void moreCallsThanOneHttpClientOpensAreMadeAtOnce() {
        int calls = ModelProviders.CALLS_PER_CLIENT + 36;
        List<ToolTask> tasks = IntStream.range(0, calls).mapToObj(i -> modelTask(Map.of())).toList();
        tasks.forEach(task -> {
            MODEL.answer("ok").delay(Duration.ofSeconds(2));
            assertThat(budgets.admit("acme", task.runId(), Long.MAX_VALUE / 2, 100_000, 0).admitted()).isTrue();
        });

        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            tasks.forEach(this::publish);
            List<String> ids = tasks.stream().map(ToolTask::taskId).toList();
            assertThat(called.awaitAll(record -> ids.contains(taskIdOf(record)), calls, WAIT))
                    .allSatisfy(record -> assertThat(EventCodec.decode(ToolCalled.class, record.value()).outcome().status())
                            .isEqualTo(ToolStatus.SUCCEEDED));
        }
        assertThat(MODEL.peakConcurrentRequests()).isGreaterThan(ModelProviders.CALLS_PER_CLIENT);
    }

    private ToolOutcome run(ToolTask task) {
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            publish(task);
            return EventCodec.decode(ToolCalled.class, called.await(ofTask(task), WAIT).value()).outcome();
        }
    }

    private void publish(ToolTask task) {
        RunBudgets.open(budgets, redis, "acme", task.runId());
        MessageProperties properties = new MessageProperties();
        properties.setContentType(CloudEventHeaders.JSON);
        Envelope.origin(task.taskId(), "/test", ToolTask.class, "acme", "corr-" + task.runId(), task.runId()).toHeaders()
                .forEach(properties::setHeader);
        properties.setMessageId(task.taskId());
        properties.setPriority(task.priority().amqpPriority());
        rabbit.send(TaskQueues.WORK_EXCHANGE, TaskQueues.WORK_ROUTING_KEY, new Message(EventCodec.encode(task), properties));
    }

    private static ToolTask modelTask(Map<String, Object> extra) {
        String runId = UUID.randomUUID().toString();
        Map<String, Object> args = new java.util.LinkedHashMap<>();
        args.put("provider", "default");
        args.put("messages", List.of(Map.of("role", "system", "content", "You answer briefly."),
                Map.of("role", "user", "content", "How do the brokers split the work?")));
        args.put("maxTokens", 256);
        args.putAll(extra);
        return new ToolTask(runId + ".s1.t0", runId, "conv-" + runId, "assistant", 1, 0, 1, false, ToolTask.MODEL_CALL, args,
                Priority.INTERACTIVE, true);
    }

    private static Predicate<ConsumerRecord<String, byte[]>> ofTask(ToolTask task) {
        return record -> taskIdOf(record).equals(task.taskId());
    }

    private static String text(List<MessageDelta> deltas, int attempt) {
        return String.join("", deltas.stream().filter(delta -> delta.attempt() == attempt).map(MessageDelta::text).toList());
    }

    private static String taskIdOf(ConsumerRecord<String, byte[]> record) {
        return EventCodec.decode(ToolCalled.class, record.value()).outcome().taskId();
    }
}
