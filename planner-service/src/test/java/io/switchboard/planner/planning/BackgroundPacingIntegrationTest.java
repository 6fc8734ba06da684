package io.switchboard.planner.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStream;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.ActiveProfiles;

/** The planner's pacing of background runs against the real RabbitMQ queue and Kafka consumer; 5 tasks ahead per consumer. */
@SpringBootTest(properties = {"switchboard.planning.background-pacing.tasks-ahead-per-consumer=5",
        "switchboard.planning.background-pacing.interval=100ms"})
@ActiveProfiles("local")
class BackgroundPacingIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    KafkaTemplate<String, Object> kafka;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @AfterEach
    void emptyTheQueue() {
        admin.purgeQueue(TaskQueues.BACKGROUND_WORK_QUEUE, false);
    }

    @Test
    void newBackgroundRunsWaitInKafkaWhileTheBackgroundQueueIsFullAndArePlannedOnceItIsDown() throws Exception {
        admin.purgeQueue(TaskQueues.BACKGROUND_WORK_QUEUE, false);
        for (int i = 0; i < 20; i++) { // no worker here: a limit of 5 tasks
            rabbit.send("", TaskQueues.BACKGROUND_WORK_QUEUE, new Message("{}".getBytes(StandardCharsets.UTF_8), new MessageProperties()));
        }
        await().atMost(WAIT).until(() -> listeners.getListenerContainer(PlanningListener.REQUESTED_BACKGROUND).isPauseRequested());

        String runId = UUID.randomUUID().toString();
        Envelope envelope = Envelope.origin("req-" + runId, "/test", AgentRequested.class, "acme", "corr-" + runId, runId);
        kafka.send(CloudEventRecords.record(Topics.AGENT_REQUESTED_BACKGROUND, "conv-" + runId, envelope, new AgentRequested(runId,
                "conv-" + runId, "calculator", Map.of("expressions", List.of("1")), Priority.BACKGROUND, Instant.now()))).get();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> runEvents(runId).isEmpty());

        admin.purgeQueue(TaskQueues.BACKGROUND_WORK_QUEUE, false);

        await().atMost(WAIT).until(() -> runEvents(runId).contains("step.planned"));
        assertThat(listeners.getListenerContainer(PlanningListener.REQUESTED_BACKGROUND).isPauseRequested()).isFalse();
    }

    private List<String> runEvents(String runId) {
        return redis.opsForStream().range(RedisKeys.runEvents("acme", runId), Range.unbounded()).stream()
                .map(r -> (String) r.getValue().get(RunStream.EVENT_FIELD)).toList();
    }
}
