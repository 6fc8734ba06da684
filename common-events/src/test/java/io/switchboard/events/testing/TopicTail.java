package io.switchboard.events.testing;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what is appended to a Kafka topic from the moment it is opened, for tests against the
 * real broker. It assigns itself every partition (no group, no rebalance), so nothing written
 * after {@link #open} is missed.
 */
public final class TopicTail implements AutoCloseable {

    /** The broker tests talk to: the native one, or the container's when Testcontainers runs it. */
    public static String bootstrap() {
        return System.getProperty("switchboard.test.kafka-bootstrap", "127.0.0.1:9092");
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    private TopicTail(String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    public static TopicTail open(String topic) {
        return new TopicTail(topic);
    }

    /** Waits for a record that matches, and returns it. */
    public ConsumerRecord<String, byte[]> await(Predicate<ConsumerRecord<String, byte[]>> match, Duration timeout) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ZERO).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            return seen.stream().filter(match).findFirst().orElse(null);
        }, record -> record != null);
    }

    /** Waits for {@code count} records that match, and returns them. */
    public List<ConsumerRecord<String, byte[]>> awaitAll(Predicate<ConsumerRecord<String, byte[]>> match, int count,
                                                          Duration timeout) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ZERO).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            return seen.stream().filter(match).toList();
        }, matched -> matched.size() >= count);
    }

    /** Every record read so far that matches. */
    public List<ConsumerRecord<String, byte[]>> seen(Predicate<ConsumerRecord<String, byte[]>> match) {
        consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
        return seen.stream().filter(match).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
