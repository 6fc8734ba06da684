package io.switchboard.events.kafka;

import io.switchboard.events.Envelope;
import io.switchboard.events.Prioritized;
import io.switchboard.events.Priority;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Builds and reads Kafka records in CloudEvents binary mode. */
public final class CloudEventRecords {

    private CloudEventRecords() {
    }

    /**
     * A record keyed by conversation, so a conversation's events stay in order on one partition
     * (and a large tenant spreads over all of them). Prioritized work carries its priority class.
     */
    public static ProducerRecord<String, Object> record(String topic, String conversationId, Envelope envelope,
                                                        Record payload) {
        ProducerRecord<String, Object> record = new ProducerRecord<>(topic, conversationId, payload);
        envelope.toHeaders().forEach((name, value) -> {
            if (value != null) {
                record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
            }
        });
        if (payload instanceof Prioritized work && work.priority() != null) {
            record.headers().add(Priority.HEADER, work.priority().wireName().getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    public static Envelope envelope(Headers headers) {
        return Envelope.fromHeaders(name -> header(headers, name));
    }

    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
