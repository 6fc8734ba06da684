package io.switchboard.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Kafka topic names. Services bind them through properties ({@code switchboard.kafka.topics.*})
 * so an environment can prefix or rename them; these are the defaults.
 */
public final class Topics {

    public static final String AGENT_REQUESTED = "agent.requested";
    public static final String AGENT_PLANNED = "agent.planned";
    public static final String AGENT_TOOL_CALLED = "agent.tool_called";
    public static final String AGENT_STEP_COMPLETED = "agent.step_completed";
    public static final String AGENT_COMPLETED = "agent.completed";

    /** Records a consumer cannot read go to {@code <topic>.dlt}, with the reason in headers. */
    public static final String DEAD_LETTER_SUFFIX = ".dlt";

    /** Header on a dead letter that says, in words, why it could not be handled. */
    public static final String FAILURE_REASON_HEADER = TaskQueues.FAILURE_REASON_HEADER;

    public static final List<String> ALL = List.of(
            AGENT_REQUESTED, AGENT_PLANNED, AGENT_TOOL_CALLED, AGENT_STEP_COMPLETED, AGENT_COMPLETED);

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }

    /**
     * Topics to create at start-up. Retention is long enough to replay; dead-letter topics keep the
     * partition count of their source topic.
     */
    public static List<NewTopic> declare(List<String> names, int partitions, short replicas, Duration retention) {
        Map<String, String> configs = Map.of("retention.ms", String.valueOf(retention.toMillis()));
        return names.stream().map(name -> new NewTopic(name, partitions, replicas).configs(configs)).toList();
    }
}
