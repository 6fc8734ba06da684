package io.switchboard.planner;

import io.switchboard.events.testing.RunEventSamples;
import io.switchboard.events.RedisKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.AgentPlanned;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.EventIds;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.RunStream;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolDescription;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.testing.RawRecords;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.planner.runs.Transcript;
import io.switchboard.platform.ReadThroughCache;
import io.switchboard.platform.RunEventLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.ActiveProfiles;

/** The planner against the real Kafka, RabbitMQ, Redis and Memcached. */
@SpringBootTest(properties = {"switchboard.planning.fair-share.tasks-per-window=100",
        "switchboard.planning.background-pacing.tasks-ahead-per-consumer=1000000"})
@ActiveProfiles("local")
class PlannerIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    KafkaTemplate<String, Object> kafka;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    ReadThroughCache cache;

    @Autowired
    RunEventLog runLog;

    /**
     * The runs here are requested as a gateway would send them, without a gateway to count acme's
     * interactive runs in flight; the gateway's own tests leave some counted, which would put acme
     * over its share of the interactive lane ({@link io.switchboard.platform.InteractiveShare}).
     */
    @BeforeEach
    void noRunsOfAcmeInFlight() {
        redis.delete(RedisKeys.interactiveRunsInFlight("acme"));
    }

    @Test
    void plansOneTaskPerExpressionWithItsPriorityAndAnnouncesThePlan() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail planned = TopicTail.open(Topics.AGENT_PLANNED)) {
            request(runId, "calculator", Map.of("expressions", List.of("2+2", "sqrt(16)*3")), Priority.BACKGROUND);

            AgentPlanned plan = EventCodec.decode(AgentPlanned.class, planned.await(ofRun(runId), WAIT).value());
            assertThat(plan.step()).isEqualTo(1);
            assertThat(plan.finalStep()).isTrue();
            assertThat(plan.tasks()).extracting(t -> t.tool()).containsExactly("math.eval", "math.eval");

            List<Message> tasks = tasksOf(TaskQueues.BACKGROUND_WORK_QUEUE, runId, 2);
            ToolTask first = EventCodec.decode(ToolTask.class, tasks.get(0).getBody());
            assertThat(first.args()).isEqualTo(Map.of("expression", "2+2"));
            assertThat(first.taskCount()).isEqualTo(2);
            assertThat(tasks.get(0).getMessageProperties().getPriority()).isEqualTo(Priority.BACKGROUND.amqpPriority());
            assertThat(tasks.get(0).getMessageProperties().getHeaders())
                    .containsEntry(CloudEventHeaders.TYPE, "tool.task.v1")
                    .containsEntry(CloudEventHeaders.TENANT_ID, "acme")
                    .containsEntry(CloudEventHeaders.RUN_ID, runId)
                    .containsEntry(CloudEventHeaders.CORRELATION_ID, "corr-" + runId)
                    .containsEntry(CloudEventHeaders.CAUSATION_ID, "req-" + runId);
            assertThat(runEvents(runId)).containsExactly("step.planned");
            assertThat(redis.opsForSet().members(RedisKeys.tasksWaiting("acme", Priority.BACKGROUND)))
                    .contains(runId + ".s1.t0", runId + ".s1.t1");
        }
    }

    @Test
    void plansTheNextStepFromWhatTheLastOneProduced() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail planned = TopicTail.open(Topics.AGENT_PLANNED)) {
            request(runId, "research", Map.of("urls", List.of("http://localhost/a", "http://localhost/b"),
                    "question", "Why?"), Priority.INTERACTIVE);
            planned.await(ofRun(runId), WAIT);
            tasksOf(runId, 2);

            List<ToolOutcome> fetched = List.of(
                    new ToolOutcome(runId + ".s1.t0", "http.fetch", 0, Map.of("url", "http://localhost/a"), ToolStatus.SUCCEEDED,
                            Map.of("url", "http://localhost/a", "text", "Because."), null, 1, 3, false),
                    new ToolOutcome(runId + ".s1.t1", "http.fetch", 1, Map.of("url", "http://localhost/b"), ToolStatus.FAILED,
                            null, "GET answered 404", 1, 3, false));
            send(Topics.AGENT_STEP_COMPLETED, envelope(runId, runId + ".s1.completed", StepCompleted.class),
                    new StepCompleted(runId, "conv-" + runId, "research", 1, fetched));

            AgentPlanned second = EventCodec.decode(AgentPlanned.class,
                    planned.await(ofRun(runId).and(r -> EventCodec.decode(AgentPlanned.class, r.value()).step() == 2), WAIT).value());
            assertThat(second.finalStep()).isTrue();
            ToolTask summarize = EventCodec.decode(ToolTask.class, tasksOf(runId, 1).getFirst().getBody());
            assertThat(summarize.tool()).isEqualTo("text.summarize");
            assertThat(summarize.args()).isEqualTo(Map.of("source", "http://localhost/a", "text", "Because.", "question", "Why?"));
        }
    }

    @Test
    void anInteractiveRunRequestedOnTheBackgroundLaneKeepsItsPriorityAndItsLaneAtEveryStep() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail planned = TopicTail.open(Topics.AGENT_PLANNED)) {
            request("conv-" + runId, runId, "research", Map.of("urls", List.of("http://localhost/a"), "question", "Why?"),
                    Priority.INTERACTIVE, Priority.BACKGROUND);
            planned.await(ofRun(runId), WAIT);
            Message fetch = tasksOf(TaskQueues.BACKGROUND_WORK_QUEUE, runId, 1).getFirst();
            assertThat(EventCodec.decode(ToolTask.class, fetch.getBody()).lane()).isEqualTo(Priority.BACKGROUND);
            assertThat(EventCodec.decode(ToolTask.class, fetch.getBody()).priority()).isEqualTo(Priority.INTERACTIVE);
            assertThat(fetch.getMessageProperties().getPriority()).isGreaterThan(Priority.BACKGROUND.amqpPriority());

            send(Topics.AGENT_STEP_COMPLETED_BACKGROUND, envelope(runId, runId + ".s1.completed", StepCompleted.class),
                    new StepCompleted(runId, "conv-" + runId, "research", 1, List.of(new ToolOutcome(runId + ".s1.t0",
                            "http.fetch", 0, Map.of("url", "http://localhost/a"), ToolStatus.SUCCEEDED,
                            Map.of("url", "http://localhost/a", "text", "Because."), null, 1, 3, false))));

            planned.await(ofRun(runId).and(r -> EventCodec.decode(AgentPlanned.class, r.value()).step() == 2), WAIT);
            ToolTask summarize = EventCodec.decode(ToolTask.class,
                    tasksOf(TaskQueues.BACKGROUND_WORK_QUEUE, runId, 1).getFirst().getBody());
            assertThat(summarize.tool()).isEqualTo("text.summarize");
            assertThat(summarize.lane()).isEqualTo(Priority.BACKGROUND);
        }
    }

    @Test
    void aStepOfARunOnTheInteractiveLaneWhoseTenantIsOverItsShareTakesTheBackgroundLane() throws Exception {
        String light = "light-" + UUID.randomUUID();
        String heavy = "heavy-" + UUID.randomUUID();
        long deadline = Instant.now().plusSeconds(60).toEpochMilli();
        for (int i = 0; i < 100; i++) { // as the gateway counted them when it accepted them
            redis.opsForZSet().add(RedisKeys.interactiveRunsInFlight(heavy), heavy + "/run-" + i, deadline);
        }
        String lightRun = UUID.randomUUID().toString();
        String heavyRun = UUID.randomUUID().toString();

        requestOf(light, lightRun);
        ToolTask lights = EventCodec.decode(ToolTask.class, tasksOf(TaskQueues.WORK_QUEUE, lightRun, 1).getFirst().getBody());
        requestOf(heavy, heavyRun);
        Message heavys = tasksOf(TaskQueues.BACKGROUND_WORK_QUEUE, heavyRun, 1).getFirst();

        assertThat(lights.lane()).isEqualTo(Priority.INTERACTIVE);
        assertThat(EventCodec.decode(ToolTask.class, heavys.getBody()).lane()).isEqualTo(Priority.BACKGROUND);
        assertThat(EventCodec.decode(ToolTask.class, heavys.getBody()).priority()).isEqualTo(Priority.INTERACTIVE);
        assertThat(heavys.getMessageProperties().getPriority()).isGreaterThan(Priority.BACKGROUND.amqpPriority());
        redis.delete(RedisKeys.interactiveRunsInFlight(heavy));
    }

    /** An interactive calculator run of the tenant, on the interactive lane. */
    private void requestOf(String tenant, String runId) throws Exception {
        Envelope envelope = Envelope.origin("req-" + runId, "/test", AgentRequested.class, tenant, "corr-" + runId, runId);
        kafka.send(CloudEventRecords.record(Topics.AGENT_REQUESTED, "conv-" + runId, envelope, new AgentRequested(runId,
                "conv-" + runId, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE, Instant.now()))).get();
    }

    @Test
    void aPlanBeyondTheFanOutCapFailsTheRunWithTheReason() throws Exception {
        String runId = UUID.randomUUID().toString();
        List<String> urls = List.of("http://a/1", "http://a/2", "http://a/3", "http://a/4", "http://a/5", "http://a/6");
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            request(runId, "research", Map.of("urls", urls, "question", "q"), Priority.INTERACTIVE);

            AgentCompleted failed = EventCodec.decode(AgentCompleted.class, completed.await(ofRun(runId), WAIT).value());
            assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
            assertThat(failed.error()).isEqualTo("step 1 (fetch) would fan out to 6 tasks; the cap for agent research is 5");
            assertThat(runEvents(runId)).containsExactly("run.failed");
        }
    }

    @Test
    void aTenantFloodingTheQueueSinksWithinItsBandAndTheOthersDoNot() throws Exception {
        String tenant = "flood-" + UUID.randomUUID();
        List<String> expressions = java.util.stream.IntStream.range(0, 20).mapToObj(String::valueOf).toList();
        List<String> floodRuns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String runId = UUID.randomUUID().toString();
            floodRuns.add(runId);
            Envelope envelope = Envelope.origin("req-" + runId, "/test", AgentRequested.class, tenant, "corr-" + runId, runId);
            kafka.send(CloudEventRecords.record(Topics.AGENT_REQUESTED, "conv-" + tenant, envelope, new AgentRequested(runId,
                    "conv-" + tenant, "calculator", Map.of("expressions", expressions), Priority.INTERACTIVE, Instant.now()))).get();
        }
        String other = UUID.randomUUID().toString();
        request(other, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE);

        Map<Object, List<Integer>> priorities = new java.util.HashMap<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(TaskQueues.WORK_QUEUE, 200);
            if (message != null) {
                assertThat(message.getMessageProperties().getHeaders()).containsEntry(Priority.HEADER, "interactive");
                priorities.computeIfAbsent(message.getMessageProperties().getHeaders().get(CloudEventHeaders.RUN_ID),
                        run -> new ArrayList<>()).add(message.getMessageProperties().getPriority());
            }
            return priorities.getOrDefault(floodRuns.getLast(), List.of()).size() == 20 && priorities.containsKey(other);
        });
        assertThat(priorities.get(floodRuns.getFirst())).hasSize(20).containsOnly(9);
        assertThat(priorities.get(floodRuns.getLast())).containsOnly(8);
        assertThat(priorities.get(other)).containsExactly(9);
    }

    @Test
    void aRedeliveredRequestIsPlannedOnce() throws Exception {
        String runId = UUID.randomUUID().toString();
        String marker = UUID.randomUUID().toString();
        try (TopicTail planned = TopicTail.open(Topics.AGENT_PLANNED)) {
            request(runId, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE);
            request(runId, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE);
            request("conv-" + runId, marker, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE);

            planned.await(ofRun(marker), WAIT);
            assertThat(planned.seen(ofRun(runId))).hasSize(1);
            assertThat(tasksOf(runId, 1)).hasSize(1);
        }
    }

    @Test
    void aRunThatEndedBeforeItWasPlannedGetsNoTasks() throws Exception {
        String runId = UUID.randomUUID().toString();
        String marker = UUID.randomUUID().toString();
        runLog.append("acme", runId, runId + ".cancelled", RunEventSamples.cancelled());
        try (TopicTail planned = TopicTail.open(Topics.AGENT_PLANNED)) {
            request(runId, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE);
            request("conv-" + runId, marker, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE);

            planned.await(ofRun(marker), WAIT);
            assertThat(planned.seen(ofRun(runId))).isEmpty();
            tasksOf(marker, 1);
            assertThat(runEvents(runId)).containsExactly("run.cancelled");
            assertThat(redis.opsForSet().members(RedisKeys.tasksWaiting("acme", Priority.INTERACTIVE)))
                    .contains(marker + ".s1.t0").doesNotContain(runId + ".s1.t0");
        }
    }

    @Test
    void aModelAgentCallsTheModelRunsTheToolsItMayWithValidArgumentsAndEndsWithTheAnswer() throws Exception {
        String runId = UUID.randomUUID().toString();
        catalogHasMathEval();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            request(runId, "assistant", Map.of("message", "What is 2+2?"), Priority.INTERACTIVE);

            ToolTask first = EventCodec.decode(ToolTask.class, tasksOf(runId, 1).getFirst().getBody());
            assertThat(first.tool()).isEqualTo(ToolTask.MODEL_CALL);
            assertThat(first.openEnded()).isTrue();
            assertThat(first.finalStep()).isFalse();
            assertThat(first.args().get("provider")).isEqualTo("default");
            assertThat(messages(first)).extracting(m -> m.get("role")).containsExactly("system", "user");
            assertThat(messages(first).getLast().get("content")).isEqualTo("What is 2+2?");
            List<Object> toolNames = ((List<?>) first.args().get("tools")).stream().map(t -> (Object) ((Map<?, ?>) t).get("name")).toList();
            assertThat(toolNames).contains("math.eval").isSubsetOf("math.eval", "http.fetch", "text.summarize", "session.notes", "retrieval.search");

            modelReplied(runId, 1, "", List.of(
                    Map.of("id", "c1", "tool", "math.eval", "arguments", Map.of("expression", "2+2")),
                    Map.of("id", "c2", "tool", "shell.exec", "arguments", Map.of("command", "rm -rf /")),
                    Map.of("id", "c3", "tool", "math.eval", "arguments", Map.of("formula", "2+2"))));
            ToolTask tool = EventCodec.decode(ToolTask.class, tasksOf(runId, 1).getFirst().getBody());
            assertThat(tool.tool()).isEqualTo("math.eval");
            assertThat(tool.args()).isEqualTo(Map.of("expression", "2+2"));
            assertThat(tool.openEnded()).isTrue();

            send(Topics.AGENT_STEP_COMPLETED, envelope(runId, runId + ".s2.completed", StepCompleted.class),
                    new StepCompleted(runId, "conv-" + runId, "assistant", 2, List.of(new ToolOutcome(tool.taskId(),
                            "math.eval", 0, tool.args(), ToolStatus.SUCCEEDED, Map.of("expression", "2+2", "value", 4),
                            null, 1, 2, false))));
            ToolTask second = EventCodec.decode(ToolTask.class, tasksOf(runId, 1).getFirst().getBody());
            assertThat(second.tool()).isEqualTo(ToolTask.MODEL_CALL);
            List<Map<String, Object>> transcript = messages(second);
            assertThat(transcript).extracting(m -> m.get("role")).containsExactly("system", "user", "assistant", "tool", "tool", "tool");
            assertThat(transcript.get(3).get("toolCallId")).isEqualTo("c2");
            assertThat((String) transcript.get(3).get("content")).startsWith("refused: 'shell.exec' is not a tool this agent may use");
            assertThat((String) transcript.get(4).get("content")).startsWith("refused: the arguments do not fit the tool's schema");
            assertThat(transcript.get(5)).containsEntry("toolCallId", "c1");
            assertThat(EventCodec.mapper().readValue((String) transcript.get(5).get("content"), Map.class))
                    .isEqualTo(Map.of("expression", "2+2", "value", 4));

            modelReplied(runId, 3, "2+2 is 4.", List.of());
            AgentCompleted done = EventCodec.decode(AgentCompleted.class, completed.await(ofRun(runId), WAIT).value());
            assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(done.output()).containsEntry("answer", "2+2 is 4.");
            assertThat(runEvents(runId)).containsExactly("step.planned", "step.planned", "step.planned", "run.completed");
        }
    }

    @Test
    void aModelAgentsToolCallsStopAtItsCapOnTheTasksOfARunCountedOverAllItsSteps() throws Exception {
        String runId = UUID.randomUUID().toString();
        catalogHasMathEval();
        request(runId, "assistant", Map.of("message", "Add one to everything"), Priority.INTERACTIVE);
        // The assistant may have 8 tasks in a step and 40 in a run, its model calls counted.
        List<Map<String, Object>> eightCalls = java.util.stream.IntStream.range(0, 8).mapToObj(i -> Map.<String, Object>of(
                "id", "c" + i, "tool", "math.eval", "arguments", Map.of("expression", i + "+1"))).toList();
        for (int step = 1; step <= 9; step += 2) {
            assertThat(EventCodec.decode(ToolTask.class, tasksOf(runId, 1).getFirst().getBody()).tool()).isEqualTo(ToolTask.MODEL_CALL);
            modelReplied(runId, step, "", eightCalls);
            // Before step 10: 5 model calls and 4 steps of 8 tool calls, so 3 of the last 8 are run.
            List<ToolOutcome> outcomes = new ArrayList<>();
            for (Message message : tasksOf(runId, step < 9 ? 8 : 3)) {
                ToolTask task = EventCodec.decode(ToolTask.class, message.getBody());
                outcomes.add(new ToolOutcome(task.taskId(), task.tool(), task.index(), task.args(), ToolStatus.SUCCEEDED,
                        Map.of("value", 1), null, 1, 2, false));
            }
            send(Topics.AGENT_STEP_COMPLETED, envelope(runId, runId + ".s" + (step + 1) + ".completed", StepCompleted.class),
                    new StepCompleted(runId, "conv-" + runId, "assistant", step + 1, outcomes));
        }

        ToolTask lastCall = EventCodec.decode(ToolTask.class, tasksOf(runId, 1).getFirst().getBody());
        assertThat(lastCall.tool()).isEqualTo(ToolTask.MODEL_CALL);
        assertThat(lastCall.step()).isEqualTo(11);
        List<Map<String, Object>> results = messages(lastCall).subList(messages(lastCall).size() - 8, messages(lastCall).size());
        assertThat(results).extracting(m -> m.get("role")).containsOnly("tool");
        assertThat(results).extracting(m -> (String) m.get("content"))
                .filteredOn(content -> content.equals("not run: the agent may make at most 3 more tool calls in this step"))
                .hasSize(5);
    }

    @Test
    void aModelAgentsRedeliveredCompletionsPlanEachStepOnceAndEndTheRunOnce() throws Exception {
        String runId = UUID.randomUUID().toString();
        String marker = UUID.randomUUID().toString();
        catalogHasMathEval();
        try (TopicTail planned = TopicTail.open(Topics.AGENT_PLANNED); TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            request(runId, "assistant", Map.of("message", "What is 2+2?"), Priority.INTERACTIVE);
            tasksOf(runId, 1);
            StepCompleted toolDone = new StepCompleted(runId, "conv-" + runId, "assistant", 2, List.of(new ToolOutcome(
                    EventIds.task(runId, 2, 0), "math.eval", 0, Map.of("expression", "2+2"), ToolStatus.SUCCEEDED,
                    Map.of("expression", "2+2", "value", 4), null, 1, 2, false)));
            for (int delivery = 1; delivery <= 2; delivery++) {
                modelReplied(runId, 1, "", List.of(Map.of("id", "c1", "tool", "math.eval", "arguments", Map.of("expression", "2+2"))));
            }
            for (int delivery = 1; delivery <= 2; delivery++) {
                send(Topics.AGENT_STEP_COMPLETED, envelope(runId, runId + ".s2.completed", StepCompleted.class), toolDone);
            }
            for (int delivery = 1; delivery <= 2; delivery++) {
                modelReplied(runId, 3, "2+2 is 4.", List.of());
            }
            // Handled after them all (same topic and key): the completion of a run the planner never planned, which fails it.
            kafka.send(CloudEventRecords.record(Topics.AGENT_STEP_COMPLETED, "conv-" + runId,
                    envelope(marker, marker + ".s1.completed", StepCompleted.class),
                    new StepCompleted(marker, "conv-" + runId, "assistant", 1, List.of()))).get();

            completed.await(ofRun(marker), WAIT);
            assertThat(planned.seen(ofRun(runId))).extracting(record -> header(record, CloudEventHeaders.ID))
                    .containsExactly(EventIds.stepPlanned(runId, 1), EventIds.stepPlanned(runId, 2), EventIds.stepPlanned(runId, 3));
            assertThat(runEvents(runId)).containsExactly("step.planned", "step.planned", "step.planned", "run.completed");
            // A repeated end announces the same event again, which consumers recognise by its id.
            assertThat(completed.seen(ofRun(runId))).extracting(record -> header(record, CloudEventHeaders.ID)).containsOnly(
                    EventIds.runEnded(runId, EventIds.EndedBy.PIPELINE));
            assertThat(redis.opsForList().size(RedisKeys.conversationMemory("acme", "conv-" + runId))).isEqualTo(1);
        }
    }

    @Test
    void aModelStepPlannedAgainIsPlannedFromTheTranscriptKeptTheFirstTime() throws Exception {
        String runId = UUID.randomUUID().toString();
        // What a planning that kept step 1's transcript and stopped before it started the step left.
        List<Map<String, Object>> first = List.of(Map.of("role", "user", "content", "What was asked the first time?"));
        redis.opsForValue().set("sb:acme:planner:run:" + runId + ":transcript:1",
                EventCodec.mapper().writeValueAsString(new Transcript(first, List.of(), 0)), Duration.ofHours(1));

        request(runId, "assistant", Map.of("message", "What is 2+2?"), Priority.INTERACTIVE);

        ToolTask call = EventCodec.decode(ToolTask.class, tasksOf(runId, 1).getFirst().getBody());
        assertThat(messages(call)).isEqualTo(first);
        assertThat(runEvents(runId)).containsExactly("step.planned");
    }

    @Test
    void aModelThatNeverStopsAskingForToolsEndsAtMaxStepsWithTheReason() throws Exception {
        String runId = UUID.randomUUID().toString();
        catalogHasMathEval();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            request(runId, "assistant", Map.of("message", "Loop forever"), Priority.INTERACTIVE);
            for (int step = 1; step <= 6; step++) {
                tasksOf(runId, 1);
                modelReplied(runId, step, "", List.of(Map.of("id", "c" + step, "tool", "not.a.tool", "arguments", Map.of())));
            }

            AgentCompleted done = EventCodec.decode(AgentCompleted.class, completed.await(ofRun(runId), WAIT).value());
            assertThat(done.status()).isEqualTo(RunStatus.FAILED);
            assertThat(done.error()).isEqualTo("the agent reached its maxSteps of 6 model calls without an answer");
        }
    }

    @Test
    void aRunOfAConversationStartsFromWhatItsEarlierRunsSaid() throws Exception {
        String conversation = "conv-" + UUID.randomUUID();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            request(conversation, first, "assistant", Map.of("message", "My name is Ada."), Priority.INTERACTIVE);
            tasksOf(first, 1);
            modelReplied(conversation, first, 1, "Hello Ada.", List.of());
            completed.await(ofRun(first), WAIT);

            request(conversation, second, "assistant", Map.of("message", "What is my name?"), Priority.INTERACTIVE);
            ToolTask call = EventCodec.decode(ToolTask.class, tasksOf(second, 1).getFirst().getBody());

            assertThat(messages(call)).extracting(m -> (Object) m.get("content")).containsSubsequence(
                    "My name is Ada.", "Hello Ada.", "What is my name?");
            assertThat(messages(call).getFirst().get("role")).isEqualTo("system");
        }
    }

    private void catalogHasMathEval() {
        redis.opsForHash().put(RedisKeys.TOOL_CATALOG, "math.eval", EventCodec.mapper().writeValueAsString(
                new ToolDescription("math.eval", 1, "Evaluates an expression", Map.of("type", "object",
                        "properties", Map.of("expression", Map.of("type", "string")), "required", List.of("expression")))));
        cache.evict(ToolDescription.cacheKey("math.eval")); // as a worker publishing its tools does
    }

    private void modelReplied(String runId, int step, String content, List<Map<String, Object>> toolCalls) throws Exception {
        modelReplied("conv-" + runId, runId, step, content, toolCalls);
    }

    private void modelReplied(String conversationId, String runId, int step, String content,
                              List<Map<String, Object>> toolCalls) throws Exception {
        Map<String, Object> output = Map.of("content", content, "toolCalls", toolCalls, "model", "scripted",
                "finishReason", toolCalls.isEmpty() ? "stop" : "tool_calls",
                "usage", Map.of("promptTokens", 10, "completionTokens", 5));
        Envelope envelope = envelope(runId, runId + ".s" + step + ".completed", StepCompleted.class);
        kafka.send(CloudEventRecords.record(Topics.AGENT_STEP_COMPLETED, conversationId, envelope,
                new StepCompleted(runId, conversationId, "assistant", step, List.of(new ToolOutcome(runId + ".s" + step + ".t0",
                        ToolTask.MODEL_CALL, 0, Map.of(), ToolStatus.SUCCEEDED, output, null, 1, 500, false))))).get();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(ToolTask modelCall) {
        return (List<Map<String, Object>>) modelCall.args().get("messages");
    }

    @Test
    void unreadableRecordsGoToTheDeadLetterTopicWithTheReasonAndPlanningGoesOn() throws Exception {
        String runId = UUID.randomUUID().toString();
        try (TopicTail deadLetters = TopicTail.open(Topics.deadLetter(Topics.AGENT_REQUESTED));
             TopicTail planned = TopicTail.open(Topics.AGENT_PLANNED)) {
            sendRaw(runId, "agent.requested.v1", "not json at all", true);
            sendRaw(runId, "agent.requested.v2", "{}", true);
            sendRaw(runId, "agent.requested.v1", "{\"runId\": \"x\"}", false);

            List<String> reasons = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                reasons.clear();
                deadLetters.seen(ofRun(runId)).forEach(r -> reasons.add(header(r, Topics.FAILURE_REASON_HEADER)));
                return reasons.size() == 3;
            });
            assertThat(reasons).anySatisfy(reason -> assertThat(reason).contains("payload is not a valid agent.requested.v1"));
            assertThat(reasons).anySatisfy(reason -> assertThat(reason).contains("unsupported event type 'agent.requested.v2'"));
            assertThat(reasons).anySatisfy(reason -> assertThat(reason).contains("missing required attribute 'ce_tenantid'"));

            String next = UUID.randomUUID().toString();
            request(next, "calculator", Map.of("expressions", List.of("1")), Priority.INTERACTIVE);
            planned.await(ofRun(next), WAIT);
        }
    }

    private void request(String runId, String agent, Map<String, Object> input, Priority priority) throws Exception {
        request("conv-" + runId, runId, agent, input, priority);
    }

    /** On the lane of its priority, as the gateway sends it; records of one conversation and lane are handled in the order sent. */
    private void request(String conversationId, String runId, String agent, Map<String, Object> input, Priority priority)
            throws Exception {
        request(conversationId, runId, agent, input, priority, priority);
    }

    private void request(String conversationId, String runId, String agent, Map<String, Object> input, Priority priority,
                         Priority lane) throws Exception {
        Envelope envelope = Envelope.origin("req-" + runId, "/test", AgentRequested.class, "acme", "corr-" + runId, runId);
        kafka.send(CloudEventRecords.record(Topics.lane(Topics.AGENT_REQUESTED, lane), conversationId, envelope,
                new AgentRequested(runId, conversationId, agent, input, priority, Instant.now()))).get();
    }

    private Envelope envelope(String runId, String id, Class<?> type) {
        return Envelope.origin(id, "/test", type, "acme", "corr-" + runId, runId);
    }

    private void send(String topic, Envelope envelope, Record event) throws Exception {
        ProducerRecord<String, Object> record = CloudEventRecords.record(topic, "conv-" + envelope.runId(), envelope, event);
        kafka.send(record).get();
    }

    private void sendRaw(String runId, String type, String payload, boolean withTenant) throws Exception {
        Envelope envelope = Envelope.origin(UUID.randomUUID().toString(), "/test", AgentRequested.class, "acme", "c", runId);
        ProducerRecord<String, Object> record = CloudEventRecords.record(Topics.AGENT_REQUESTED, "conv-" + runId, envelope, null);
        record.headers().remove(CloudEventHeaders.TYPE).add(CloudEventHeaders.TYPE, type.getBytes(StandardCharsets.UTF_8));
        if (!withTenant) {
            record.headers().remove(CloudEventHeaders.TENANT_ID);
        }
        RawRecords.send(record.topic(), record.key(), payload, record.headers());
    }

    /** Takes this run's tasks off the interactive lane's work queue (and drops other runs' leftovers). */
    private List<Message> tasksOf(String runId, int count) {
        return tasksOf(TaskQueues.WORK_QUEUE, runId, count);
    }

    private List<Message> tasksOf(String queue, String runId, int count) {
        List<Message> tasks = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(queue, 200);
            if (message != null && runId.equals(message.getMessageProperties().getHeaders().get(CloudEventHeaders.RUN_ID))) {
                tasks.add(message);
            }
            return tasks.size() == count;
        });
        tasks.sort(java.util.Comparator.comparing(m -> m.getMessageProperties().getMessageId()));
        return tasks;
    }

    private List<String> runEvents(String runId) {
        return redis.opsForStream().range(RedisKeys.runEvents("acme", runId), org.springframework.data.domain.Range.unbounded())
                .stream().map(r -> (String) r.getValue().get(RunStream.EVENT_FIELD)).toList();
    }

    private static java.util.function.Predicate<ConsumerRecord<String, byte[]>> ofRun(String runId) {
        return record -> runId.equals(header(record, CloudEventHeaders.RUN_ID));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return CloudEventRecords.header(record.headers(), name);
    }
}
