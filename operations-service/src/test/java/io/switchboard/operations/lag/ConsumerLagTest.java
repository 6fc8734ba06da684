package io.switchboard.operations.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaAdmin;

/** Consumer lag from committed and end offsets, against the real Kafka. */
class ConsumerLagTest {

    private static final Map<String, Object> KAFKA = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");

    @Test
    void aGroupBehindTheEndShowsItsLagPerTopicAndAGroupCaughtUpShowsZero() throws Exception {
        String topic = "lag-test-" + UUID.randomUUID();
        String behind = "lag-behind-" + UUID.randomUUID();
        String caughtUp = "lag-caught-up-" + UUID.randomUUID();
        try (Admin admin = Admin.create(KAFKA)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(KAFKA, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 2, "key", "record " + i)).get();
                }
            }
            admin.alterConsumerGroupOffsets(behind, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2),
                    new TopicPartition(topic, 1), new OffsetAndMetadata(1))).all().get();
            admin.alterConsumerGroupOffsets(caughtUp, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(5),
                    new TopicPartition(topic, 1), new OffsetAndMetadata(5))).all().get();

            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            ConsumerLag lag = new ConsumerLag(new KafkaAdmin(KAFKA), meters);
            try {
                assertThat(lag.measure().get(behind)).containsExactly(Map.entry(topic, 7L));
                lag.publish();

                assertThat(meters.get("switchboard.consumer.lag").tags("group", behind, "topic", topic).gauge().value()).isEqualTo(7);
                assertThat(meters.get("switchboard.consumer.lag").tags("group", caughtUp, "topic", topic).gauge().value()).isZero();
            } finally {
                lag.destroy();
                admin.deleteTopics(List.of(topic));
                admin.deleteConsumerGroups(List.of(behind, caughtUp));
            }
        }
    }
}
