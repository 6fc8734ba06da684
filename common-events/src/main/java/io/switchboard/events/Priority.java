package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How urgent a run is; interactive work is taken before background work. */
public enum Priority {
    @JsonProperty("interactive") INTERACTIVE(9),
    @JsonProperty("background") BACKGROUND(1);

    private final int amqpPriority;

    Priority(int amqpPriority) {
        this.amqpPriority = amqpPriority;
    }

    /** The RabbitMQ message priority (queues declare {@code x-max-priority} 10). */
    public int amqpPriority() {
        return amqpPriority;
    }
}
