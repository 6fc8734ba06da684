package io.switchboard.operations.deadletters;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Service;

/**
 * Reads what a dead letter says about itself (origin, reason, exception, attempts, tenant, run)
 * and archives it. Listeners acknowledge only after this returns, so no dead letter is lost; the
 * id is derived from the dead letter, so a redelivery is archived once.
 */
@Service
class DeadLetterIntake {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterIntake.class);

    static final String ORIGINAL_EXCHANGE_HEADER = "x-original-exchange";
    static final String ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key";

    /** Headers that say why a record failed; a redrive does not send them again. */
    private static final List<String> KAFKA_FAILURE_HEADERS = List.of(
            "kafka_dlt-", "x-switchboard-failure-", "springDeserializerException");

    /** Headers that say why, where and after how many attempts a task died; a redrive starts it afresh. */
    private static final List<String> RABBIT_FAILURE_HEADERS = List.of(
            "x-switchboard-failure-", "x-death", "x-first-death-", "x-last-death-", "x-original-",
            TaskQueues.ATTEMPT_HEADER);

    private final DeadLetters deadLetters;
    private final MeterRegistry meters;

    DeadLetterIntake(DeadLetters deadLetters, MeterRegistry meters) {
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    /** A record from {@code <topic>.dlt}, as spring-kafka's dead-letter recoverer or anyone else wrote it. */
    void kafka(ConsumerRecord<byte[], byte[]> record) {
        Headers headers = record.headers();
        String topic = first(header(headers, KafkaHeaders.DLT_ORIGINAL_TOPIC),
                record.topic().substring(0, record.topic().length() - Topics.DEAD_LETTER_SUFFIX.length()));
        List<DeadLetter.Header> kept = StreamSupport.stream(headers.spliterator(), false)
                .filter(header -> !failureHeader(header.key(), KAFKA_FAILURE_HEADERS))
                .map(header -> new DeadLetter.Header(header.key(), header.value()))
                .toList();
        archive(new DeadLetter(
                "kafka:" + record.topic() + ":" + record.partition() + ":" + record.offset(),
                DeadLetter.KAFKA,
                topic,
                first(header(headers, Topics.FAILURE_REASON_HEADER), header(headers, KafkaHeaders.DLT_EXCEPTION_MESSAGE)),
                first(header(headers, TaskQueues.FAILURE_EXCEPTION_HEADER), header(headers, KafkaHeaders.DLT_EXCEPTION_FQCN)),
                attempts(header(headers, TaskQueues.ATTEMPT_HEADER)),
                header(headers, CloudEventHeaders.TENANT_ID),
                header(headers, CloudEventHeaders.RUN_ID),
                Instant.ofEpochMilli(record.timestamp()),
                record.value(),
                new DeadLetter.KafkaOriginal(topic, record.key(), kept),
                null));
    }

    /**
     * A task from the dead-letter queue: sent there by the worker (reason and origin in headers),
     * or rejected by a listener and dead-lettered by its queue (the broker's {@code x-death}).
     */
    void rabbit(Message message) {
        MessageProperties properties = message.getMessageProperties();
        Map<String, Object> headers = properties.getHeaders();
        Map<String, ?> death = lastDeath(properties);
        String exchange = first(string(headers.get(ORIGINAL_EXCHANGE_HEADER)), string(death.get("exchange")),
                TaskQueues.WORK_EXCHANGE);
        String routingKey = first(string(headers.get(ORIGINAL_ROUTING_KEY_HEADER)),
                death.get("routing-keys") instanceof List<?> keys && !keys.isEmpty() ? string(keys.getFirst()) : null,
                TaskQueues.WORK_ROUTING_KEY);
        String reason = first(string(headers.get(TaskQueues.FAILURE_REASON_HEADER)), string(death.get("reason")));
        Map<String, Object> kept = new LinkedHashMap<>(headers);
        kept.keySet().removeIf(name -> failureHeader(name, RABBIT_FAILURE_HEADERS));
        DeadLetter.RabbitOriginal original = new DeadLetter.RabbitOriginal(exchange, routingKey,
                properties.getMessageId(), properties.getPriority(), properties.getContentType(), kept);
        archive(new DeadLetter(
                "rabbitmq:" + digest(properties.getMessageId(), reason,
                        string(headers.get(Redrive.REDRIVEN_FROM_HEADER)), message.getBody()),
                DeadLetter.RABBITMQ,
                original.destination(),
                reason,
                string(headers.get(TaskQueues.FAILURE_EXCEPTION_HEADER)),
                attempts(headers.get(TaskQueues.ATTEMPT_HEADER)),
                string(headers.get(CloudEventHeaders.TENANT_ID)),
                string(headers.get(CloudEventHeaders.RUN_ID)),
                death.get("time") instanceof Date time ? time.toInstant() : Instant.now(),
                message.getBody(),
                null,
                original));
    }

    private void archive(DeadLetter letter) {
        if (deadLetters.archive(letter)) {
            meters.counter("switchboard.dead_letters.archived", "tenant", letter.tenant() == null ? "unknown" : letter.tenant(),
                    "source", letter.source()).increment();
            LOG.info("archived dead letter {} from {}: {}", letter.id(), letter.origin(), letter.reason());
        }
    }

    /** The newest death the broker recorded, or none. */
    private static Map<String, ?> lastDeath(MessageProperties properties) {
        List<Map<String, ?>> deaths = properties.getXDeathHeader();
        return deaths == null || deaths.isEmpty() ? Map.of() : deaths.getFirst();
    }

    /**
     * What tells one dead task from another: the same task dead-lettered again after a redrive
     * carries the id it was redriven from, so it is a new entry.
     */
    private static String digest(String messageId, String reason, String redrivenFrom, byte[] body) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {messageId, reason, redrivenFrom}) {
                sha256.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
            }
            sha256.update(body);
            return HexFormat.of().formatHex(sha256.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean failureHeader(String name, List<String> prefixes) {
        return prefixes.stream().anyMatch(name::startsWith);
    }

    private static String header(Headers headers, String name) {
        return CloudEventRecords.header(headers, name);
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }

    private static int attempts(Object value) {
        if (value instanceof Number number) {
            return number.intValue();
        }
        try {
            return value == null ? 1 : Integer.parseInt(value.toString());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static String first(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }
}
