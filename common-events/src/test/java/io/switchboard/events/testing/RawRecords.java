package io.switchboard.events.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes records a well-behaved producer never would (bad payloads, wrong headers), for poison tests. */
public final class RawRecords {

    private RawRecords() {
    }

    public static void send(String topic, String key, String payload, Headers headers)
            throws ExecutionException, InterruptedException {
        send(topic, key, payload.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** For payloads that are not even text. */
    public static void send(String topic, String key, byte[] payload, Headers headers)
            throws ExecutionException, InterruptedException {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", TopicTail.bootstrap()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, null, key, payload, headers)).get();
        }
    }
}
