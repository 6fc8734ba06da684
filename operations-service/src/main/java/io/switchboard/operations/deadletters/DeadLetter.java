package io.switchboard.operations.deadletters;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One archived dead letter: where it was first sent, why it failed, and what a redrive sends
 * there again. Of {@code kafka} and {@code rabbit}, the one of its {@code source} is set.
 *
 * @param id        derived from the dead letter itself, so a redelivery is archived once
 * @param origin    the topic, or {@code exchange/routing key}, it was first sent to
 * @param reason    why it could not be handled, in words
 * @param exception the class of what was thrown, when known
 * @param attempts  how often it was tried
 * @param payload   the bytes as they were; a poison payload need not be text
 */
record DeadLetter(
        String id,
        String source,
        String origin,
        String reason,
        String exception,
        int attempts,
        String tenant,
        String runId,
        Instant deadLetteredAt,
        byte[] payload,
        KafkaOriginal kafka,
        RabbitOriginal rabbit) {

    static final String KAFKA = "kafka";
    static final String RABBITMQ = "rabbitmq";

    /** The record as first sent, less the failure headers. */
    record KafkaOriginal(String topic, byte[] key, List<Header> headers) {
    }

    record Header(String name, byte[] value) {
    }

    /** The task as first sent, less the failure and death headers and the attempt count. */
    record RabbitOriginal(String exchange, String routingKey, String messageId, Integer priority, String contentType,
                          Map<String, Object> headers) {

        String destination() {
            return exchange + "/" + routingKey;
        }
    }
}
