package io.switchboard.operations.deadletters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.testing.RawRecords;
import io.switchboard.events.testing.TopicTail;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/** Dead letters from the real Kafka and RabbitMQ, archived in the real Redis, listed and redriven over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("local")
class DeadLetterIntegrationTest {

    private static final String ADMIN = "admin-dev-key";
    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DEAD_REQUESTS = Topics.deadLetter(Topics.AGENT_REQUESTED);

    @LocalServerPort
    int port;

    @Autowired
    KafkaTemplate<String, Object> kafka;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aPoisonRecordOnADeadLetterTopicIsListedWithItsReasonTenantAndOrigin() throws Exception {
        String runId = UUID.randomUUID().toString();
        Headers headers = envelopeHeaders(runId);
        headers.add(Topics.FAILURE_REASON_HEADER, "payload is not a valid agent.requested.v1".getBytes(StandardCharsets.UTF_8));
        headers.add(KafkaHeaders.DLT_EXCEPTION_FQCN, "io.switchboard.events.UnsupportedEventException".getBytes(StandardCharsets.UTF_8));
        RawRecords.send(DEAD_REQUESTS, "conv-" + runId, "not json at all", headers);

        JsonNode item = awaitListed("kafka", runId);
        assertThat(item.get("id").asString()).startsWith("kafka:agent.requested.dlt:");
        assertThat(item.get("source").asString()).isEqualTo("kafka");
        assertThat(item.get("origin").asString()).isEqualTo(Topics.AGENT_REQUESTED);
        assertThat(item.get("reason").asString()).isEqualTo("payload is not a valid agent.requested.v1");
        assertThat(item.get("exception").asString()).isEqualTo("io.switchboard.events.UnsupportedEventException");
        assertThat(item.get("tenant").asString()).isEqualTo("acme");
        assertThat(item.get("attempts").asInt()).isEqualTo(1);
        assertThat(item.get("payload").asString()).isEqualTo("not json at all");
        assertThat(item.get("payloadBase64").asBoolean()).isFalse();
        assertThat(json(get(ADMIN, "/v1/admin/dead-letters/" + item.get("id").asString()))).isEqualTo(item);
    }

    @Test
    void aPayloadThatIsNotTextIsShownAsBase64() throws Exception {
        String runId = UUID.randomUUID().toString();
        byte[] binary = {(byte) 0xC3, (byte) 0x28, 0x00, (byte) 0xFF};
        RawRecords.send(DEAD_REQUESTS, "conv-" + runId, binary, envelopeHeaders(runId));

        JsonNode item = awaitListed("kafka", runId);
        assertThat(item.get("payloadBase64").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(item.get("payload").asString())).isEqualTo(binary);
    }

    @Test
    void aRedrivenRecordGoesBackToItsTopicWithoutItsFailureHeadersAndLeavesTheArchive() throws Exception {
        String runId = UUID.randomUUID().toString();
        AgentRequested requested = new AgentRequested(runId, "conv-" + runId, "calculator",
                Map.of("expressions", List.of("2+2")), Priority.INTERACTIVE, Instant.now());
        ProducerRecord<String, Object> deadLetter = CloudEventRecords.record(DEAD_REQUESTS, "conv-" + runId,
                envelope(runId, AgentRequested.class), requested);
        deadLetter.headers()
                .add(Topics.FAILURE_REASON_HEADER, "planner could not reach Redis".getBytes(StandardCharsets.UTF_8))
                .add(KafkaHeaders.DLT_ORIGINAL_TOPIC, Topics.AGENT_REQUESTED.getBytes(StandardCharsets.UTF_8))
                .add(KafkaHeaders.DLT_EXCEPTION_FQCN, "java.lang.IllegalStateException".getBytes(StandardCharsets.UTF_8));
        kafka.send(deadLetter).get();
        String id = awaitListed("kafka", runId).get("id").asString();

        try (TopicTail topic = TopicTail.open(Topics.AGENT_REQUESTED)) {
            HttpResponse<String> response = post(ADMIN, "/v1/admin/dead-letters/" + id + "/redrive");

            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(json(response).get("id").asString()).isEqualTo(id);
            assertThat(json(response).get("redrivenTo").asString()).isEqualTo(Topics.AGENT_REQUESTED);
            ConsumerRecord<String, byte[]> redriven = topic.await(
                    r -> runId.equals(CloudEventRecords.header(r.headers(), CloudEventHeaders.RUN_ID)), WAIT);
            assertThat(redriven.key()).isEqualTo("conv-" + runId);
            assertThat(redriven.value()).isEqualTo(EventCodec.encode(requested));
            assertThat(CloudEventRecords.header(redriven.headers(), CloudEventHeaders.TYPE)).isEqualTo("agent.requested.v1");
            assertThat(CloudEventRecords.header(redriven.headers(), CloudEventHeaders.TENANT_ID)).isEqualTo("acme");
            assertThat(CloudEventRecords.header(redriven.headers(), Redrive.REDRIVEN_FROM_HEADER)).isEqualTo(id);
            assertThat(StreamSupport.stream(redriven.headers().spliterator(), false).map(h -> h.key()))
                    .noneMatch(name -> name.startsWith("kafka_dlt-") || name.startsWith("x-switchboard-failure-"));
        }
        assertProblem(get(ADMIN, "/v1/admin/dead-letters/" + id), 404, "There is no dead letter '" + id + "'");
        assertThat(listed("kafka", runId)).isEmpty();
    }

    @Test
    void aDeadTaskIsListedAndRedrivenToTheWorkQueueAsAFirstAttempt() throws Exception {
        ToolTask task = task();
        MessageProperties properties = taskProperties(task);
        properties.setHeader(TaskQueues.FAILURE_REASON_HEADER, "GET http://example.test/ answered 503");
        properties.setHeader(TaskQueues.FAILURE_EXCEPTION_HEADER, "io.switchboard.worker.tools.ToolFailure");
        properties.setHeader(TaskQueues.ATTEMPT_HEADER, 3);
        properties.setHeader("x-original-exchange", TaskQueues.WORK_EXCHANGE);
        properties.setHeader("x-original-routing-key", TaskQueues.WORK_ROUTING_KEY);
        byte[] body = EventCodec.encode(task);
        rabbit.send(TaskQueues.DEAD_LETTER_EXCHANGE, TaskQueues.DEAD_LETTER_ROUTING_KEY, new Message(body, properties));

        JsonNode item = awaitListed("rabbitmq", task.runId());
        String id = item.get("id").asString();
        assertThat(id).startsWith("rabbitmq:");
        assertThat(item.get("origin").asString()).isEqualTo("switchboard.tasks/tool");
        assertThat(item.get("reason").asString()).isEqualTo("GET http://example.test/ answered 503");
        assertThat(item.get("exception").asString()).isEqualTo("io.switchboard.worker.tools.ToolFailure");
        assertThat(item.get("attempts").asInt()).isEqualTo(3);
        assertThat(item.get("tenant").asString()).isEqualTo("acme");
        assertThat(item.get("payload").asString()).isEqualTo(new String(body, StandardCharsets.UTF_8));
        assertThat(listed("kafka", task.runId())).isEmpty();

        HttpResponse<String> response = post(ADMIN, "/v1/admin/dead-letters/" + id + "/redrive");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response).get("redrivenTo").asString()).isEqualTo("switchboard.tasks/tool");
        Message redriven = takeFromWorkQueue(task.taskId());
        assertThat(redriven.getBody()).isEqualTo(body);
        assertThat(redriven.getMessageProperties().getPriority()).isEqualTo(Priority.BACKGROUND.amqpPriority());
        assertThat(redriven.getMessageProperties().getHeaders())
                .containsEntry(TaskQueues.ATTEMPT_HEADER, 1)
                .containsEntry(CloudEventHeaders.RUN_ID, task.runId())
                .containsEntry(Redrive.REDRIVEN_FROM_HEADER, id)
                .doesNotContainKeys(TaskQueues.FAILURE_REASON_HEADER, TaskQueues.FAILURE_EXCEPTION_HEADER,
                        "x-original-exchange", "x-original-routing-key");
        assertThat(get(ADMIN, "/v1/admin/dead-letters/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void aDeadTaskTheBrokerCannotRouteIsNotRedrivenAnd503KeepsIt() throws Exception {
        ToolTask task = task();
        MessageProperties properties = taskProperties(task);
        properties.setHeader(TaskQueues.FAILURE_REASON_HEADER, "tool failed");
        properties.setHeader("x-original-exchange", TaskQueues.WORK_EXCHANGE);
        properties.setHeader("x-original-routing-key", "no-such-queue");
        rabbit.send(TaskQueues.DEAD_LETTER_EXCHANGE, TaskQueues.DEAD_LETTER_ROUTING_KEY,
                new Message(EventCodec.encode(task), properties));
        String id = awaitListed("rabbitmq", task.runId()).get("id").asString();

        HttpResponse<String> response = post(ADMIN, "/v1/admin/dead-letters/" + id + "/redrive");

        assertProblem(response, 503, "the dead letter is kept");
        assertThat(get(ADMIN, "/v1/admin/dead-letters/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void aTaskItsQueueRejectedIsListedWithTheBrokersReasonAndOrigin() throws Exception {
        ToolTask task = task();
        rabbit.send(TaskQueues.WORK_EXCHANGE, TaskQueues.WORK_ROUTING_KEY, new Message(EventCodec.encode(task), taskProperties(task)));
        rejectOnWorkQueue(task.taskId());

        JsonNode item = awaitListed("rabbitmq", task.runId());
        assertThat(item.get("origin").asString()).isEqualTo("switchboard.tasks/tool");
        assertThat(item.get("reason").asString()).isEqualTo("rejected");
        assertThat(item.get("attempts").asInt()).isEqualTo(1);
        assertThat(item.get("tenant").asString()).isEqualTo("acme");
    }

    @Test
    void aDeadTaskDeliveredTwiceIsArchivedOnce() throws Exception {
        ToolTask task = task();
        ToolTask marker = task();
        MessageProperties properties = taskProperties(task);
        properties.setHeader(TaskQueues.FAILURE_REASON_HEADER, "tool failed");
        Message deadTask = new Message(EventCodec.encode(task), properties);
        double archived = archivedFromRabbitMq();
        rabbit.invoke(onOneChannel -> {
            onOneChannel.send(TaskQueues.DEAD_LETTER_EXCHANGE, TaskQueues.DEAD_LETTER_ROUTING_KEY, deadTask);
            onOneChannel.send(TaskQueues.DEAD_LETTER_EXCHANGE, TaskQueues.DEAD_LETTER_ROUTING_KEY, deadTask);
            onOneChannel.send(TaskQueues.DEAD_LETTER_EXCHANGE, TaskQueues.DEAD_LETTER_ROUTING_KEY,
                    new Message(EventCodec.encode(marker), taskProperties(marker)));
            return null;
        });

        awaitListed("rabbitmq", marker.runId());
        assertThat(listed("rabbitmq", task.runId())).hasSize(1);
        await().atMost(WAIT).until(() -> archivedFromRabbitMq() - archived >= 2);
        assertThat(archivedFromRabbitMq() - archived).isEqualTo(2);
    }

    @Test
    void adminRoutesTakeTheAdminKeyAndNoTenantKey() throws Exception {
        for (String path : List.of("/v1/admin/dead-letters", "/v1/%61dmin/dead-letters", "/v1/admin;v=1/dead-letters")) {
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
            for (HttpResponse<String> response : List.of(get(ACME, path), missing)) {
                assertProblem(response, 401, "valid admin key");
                assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            }
        }
        assertThat(get(ADMIN, "/v1/admin/dead-letters").statusCode()).isEqualTo(200);
        assertThat(get(ADMIN, "/v1/agents").statusCode()).isEqualTo(401);
    }

    @Test
    void aTenantSeesItsOwnDeadLettersAndAnotherTenantsAnswerExactlyLikeOnesThatDoNotExist() throws Exception {
        String runId = UUID.randomUUID().toString();
        Headers headers = envelopeHeaders(runId);
        headers.add(Topics.FAILURE_REASON_HEADER, "not valid".getBytes(StandardCharsets.UTF_8));
        RawRecords.send(DEAD_REQUESTS, "conv-" + runId, "not json", headers);
        String id = awaitListed("kafka", runId).get("id").asString();
        String unknown = "kafka:agent.requested.dlt:0:" + Long.MAX_VALUE;

        HttpResponse<String> own = get(ACME, "/v1/dead-letters/" + id);
        HttpResponse<String> foreign = get(GLOBEX, "/v1/dead-letters/" + id);
        HttpResponse<String> missing = get(GLOBEX, "/v1/dead-letters/" + unknown);

        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own).get("runId").asString()).isEqualTo(runId);
        assertThat(json(get(ACME, "/v1/dead-letters?limit=50")).valueStream().map(item -> item.get("id").asString()))
                .contains(id);
        assertThat(json(get(GLOBEX, "/v1/dead-letters?limit=1000")).valueStream()
                .map(item -> item.get("tenant").asString())).doesNotContain("acme");
        assertProblem(foreign, 404, "There is no dead letter");
        assertThat(foreign.headers().firstValue("Content-Type")).isEqualTo(missing.headers().firstValue("Content-Type"));
        assertThat(foreign.body().replace(id, "ID")).isEqualTo(missing.body().replace(unknown, "ID"));
        assertProblem(get(ADMIN, "/v1/dead-letters"), 401, "valid API key");
        assertProblem(post(ACME, "/v1/dead-letters/" + id + "/redrive"), 404, "");
    }

    @Test
    void unknownDeadLettersAndBadQueriesAreProblems() throws Exception {
        assertProblem(get(ADMIN, "/v1/admin/dead-letters/kafka:agent.requested.dlt:0:999999999"), 404,
                "There is no dead letter 'kafka:agent.requested.dlt:0:999999999'");
        assertProblem(post(ADMIN, "/v1/admin/dead-letters/rabbitmq:nope/redrive"), 404, "There is no dead letter 'rabbitmq:nope'");
        assertProblem(get(ADMIN, "/v1/admin/dead-letters?source=sqs"), 400, "source must be 'kafka' or 'rabbitmq'");
        assertProblem(get(ADMIN, "/v1/admin/dead-letters?limit=1001"), 400, "limit must be between 1 and 1000");
    }

    /** Waits until the archive lists a dead letter of this run, and returns it. */
    private JsonNode awaitListed(String source, String runId) {
        return await().atMost(WAIT).until(() -> listed(source, runId), items -> items.size() == 1).getFirst();
    }

    private List<JsonNode> listed(String source, String runId) throws IOException, InterruptedException {
        HttpResponse<String> response = get(ADMIN, "/v1/admin/dead-letters?limit=1000&source=" + source);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode listing = json(response);
        List<JsonNode> items = listing.get("items").valueStream().toList();
        assertThat(listing.get("total").asLong()).isGreaterThanOrEqualTo(items.size());
        assertThat(items).allSatisfy(item -> assertThat(item.get("source").asString()).isEqualTo(source));
        return items.stream().filter(item -> runId.equals(item.path("runId").asString(null))).toList();
    }

    /** Takes the task off the work queue (and drops other tests' leftovers; no worker runs here). */
    private Message takeFromWorkQueue(String messageId) {
        return await().atMost(WAIT).until(() -> rabbit.receive(TaskQueues.WORK_QUEUE, 200),
                message -> message != null && messageId.equals(message.getMessageProperties().getMessageId()));
    }

    /** Does what a listener does with a task it cannot take: rejects it, so its queue dead-letters it. */
    private void rejectOnWorkQueue(String messageId) {
        await().atMost(WAIT).until(() -> rabbit.execute(channel -> {
            GetResponse response = channel.basicGet(TaskQueues.WORK_QUEUE, false);
            if (response == null) {
                return false;
            }
            boolean ours = messageId.equals(response.getProps().getMessageId());
            if (ours) {
                channel.basicReject(response.getEnvelope().getDeliveryTag(), false);
            } else {
                channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
            }
            return ours;
        }));
    }

    private double archivedFromRabbitMq() {
        return meters.find("switchboard.dead_letters.archived").tag("source", "rabbitmq").counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    private static ToolTask task() {
        String runId = UUID.randomUUID().toString();
        return new ToolTask(runId + ".s1.t0", runId, "conv-" + runId, "calculator", 1, 0, 1, true, "math.eval",
                Map.of("expression", "1/0"), Priority.BACKGROUND, false);
    }

    private static MessageProperties taskProperties(ToolTask task) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(CloudEventHeaders.JSON);
        properties.setMessageId(task.taskId());
        properties.setPriority(task.priority().amqpPriority());
        envelope(task.runId(), ToolTask.class).toHeaders().forEach(properties::setHeader);
        return properties;
    }

    private static Envelope envelope(String runId, Class<?> type) {
        return Envelope.origin(UUID.randomUUID().toString(), "/test", type, "acme", "corr-" + runId, runId);
    }

    private static Headers envelopeHeaders(String runId) {
        return CloudEventRecords.record(DEAD_REQUESTS, "conv-" + runId, envelope(runId, AgentRequested.class), null).headers();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detail) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains(detail);
    }

    private HttpResponse<String> get(String key, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String key, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventCodec.mapper().readTree(response.body());
    }
}
