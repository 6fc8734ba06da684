package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How urgent a run is; interactive work is taken before background work. Each class owns a band
 * of RabbitMQ priorities (interactive 6-9, background 1-4, queues declare {@code x-max-priority}
 * 10): a tenant's tasks start at the top of their band and sink within it as the tenant sends more
 * work, so a tenant flooding the queue does not hold back the others, and never falls below the
 * other class.
 */
public enum Priority {
    @JsonProperty("interactive") INTERACTIVE(9),
    @JsonProperty("background") BACKGROUND(4);

    /** Kafka and RabbitMQ header naming the priority class: {@code interactive} or {@code background}. */
    public static final String HEADER = "x-switchboard-priority";
    /** How far a task can sink within its band. */
    public static final int MAX_DEMOTION = 3;

    private final int amqpPriority;

    Priority(int amqpPriority) {
        this.amqpPriority = amqpPriority;
    }

    /** The RabbitMQ message priority of a tenant's task that is not demoted. */
    public int amqpPriority() {
        return amqpPriority;
    }

    /** The RabbitMQ message priority, {@code demotion} steps down within the class's band. */
    public int amqpPriority(int demotion) {
        return amqpPriority - Math.max(0, Math.min(demotion, MAX_DEMOTION));
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
