package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.kafka.CloudEventSerializer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Records are keyed by conversation, never by tenant: a tenant sending most of the runs still
 * spreads over every partition. Sent through the real producer and partitioner to the real broker.
 */
class PartitionSkewTest {

    private static final String TOPIC = "switchboard.test.partition-skew";
    private static final int PARTITIONS = 6;
    private static final int RUNS = 12_000;

    @Test
    void aTenantSendingEightyPercentOfRunsLoadsNoPartitionMoreThanAQuarterAboveTheMean() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                    .all().get();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TopicExistsException.class);
        }
        Random random = new Random(42);
        long[] byConversation = new long[PARTITIONS];
        long[] byTenant = new long[PARTITIONS];
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092",
                "linger.ms", 10), new StringSerializer(), new CloudEventSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            List<String> tenants = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                boolean big = random.nextInt(100) < 80;
                String tenant = big ? "big" : "small-" + random.nextInt(4);
                String conversation = tenant + "-conv-" + random.nextInt(big ? 2_000 : 200);
                String runId = "skew-" + i;
                Envelope envelope = Envelope.origin(runId, "/test", AgentRequested.class, tenant, "corr", runId);
                ProducerRecord<String, Object> record = CloudEventRecords.record(TOPIC, conversation, envelope,
                        new AgentRequested(runId, conversation, "calculator", Map.of(), Priority.INTERACTIVE, Instant.now()));
                sent.add(producer.send(record));
                tenants.add(tenant);
            }
            for (int i = 0; i < sent.size(); i++) {
                byConversation[sent.get(i).get().partition()]++;
                byTenant[Math.floorMod(tenants.get(i).hashCode(), PARTITIONS)]++;
            }
        }
        double mean = (double) RUNS / PARTITIONS;
        double skew = max(byConversation) / mean;
        System.out.printf("%d runs, 80%% from one tenant, %d partitions: per partition %s, max/mean %.3f "
                        + "(keyed by tenant it would be %s, max/mean %.2f)%n",
                RUNS, PARTITIONS, Arrays.toString(byConversation), skew,
                Arrays.toString(byTenant), max(byTenant) / mean);

        assertThat(skew).isLessThanOrEqualTo(1.25);
    }

    private static double max(long[] counts) {
        return Arrays.stream(counts).max().orElseThrow();
    }
}
