package io.switchboard.operations.lag;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Consumer lag the way {@code kafka_exporter} computes it: for every consumer group, each partition's
 * end offset minus the group's committed offset, summed per group and topic, as the gauge
 * {@code switchboard_consumer_lag{group, topic}}. Read from the brokers with the admin client, so it
 * covers every group (the pipeline's, the dead-letter consumers', the run store's writer), is a number
 * even while a group's consumers are down, and is 0, not NaN, when a group is caught up. The replay
 * drill's one-off groups are left out.
 */
@Component
class ConsumerLag implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final MultiGauge gauge;

    ConsumerLag(KafkaAdmin kafka, MeterRegistry meters) {
        this.admin = Admin.create(kafka.getConfigurationProperties());
        this.gauge = MultiGauge.builder("switchboard.consumer.lag")
                .description("Records a consumer group has yet to consume, per topic").register(meters);
    }

    /** Lag by group and topic, now. */
    Map<String, Map<String, Long>> measure() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Map<String, Long>> lag = new HashMap<>();
        for (ConsumerGroupListing group : admin.listConsumerGroups().all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            if (group.groupId().startsWith("replay-drill-")) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null) {
                    latest.put(partition, OffsetSpec.latest());
                }
            });
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Map<String, Long> byTopic = lag.computeIfAbsent(group.groupId(), id -> new HashMap<>());
            ends.forEach((partition, end) -> byTopic.merge(partition.topic(),
                    Math.max(0, end.offset() - committed.get(partition).offset()), Long::sum));
        }
        return lag;
    }

    @Scheduled(fixedDelayString = "${switchboard.metrics.lag-interval:15s}")
    void publish() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            measure().forEach((group, topics) -> topics.forEach((topic, records) ->
                    rows.add(MultiGauge.Row.of(Tags.of("group", group, "topic", topic), records))));
            gauge.register(rows, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("could not read consumer lag from Kafka: {}", e.toString());
        }
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(5));
    }
}
