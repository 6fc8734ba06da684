package io.switchboard.planner;

import io.switchboard.events.Topics;
import io.switchboard.events.UnsupportedEventException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Errors are handled once: unreadable records (not JSON, wrong shape, unknown version, no tenant)
 * go straight to {@code <topic>.dlt} with the reason in headers; other failures are retried with
 * backoff, then dead-lettered too. A consumer never crashes or loops on a record.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    private static final List<String> CONSUMED = List.of(Topics.AGENT_REQUESTED, Topics.AGENT_STEP_COMPLETED);

    @Bean
    KafkaAdmin.NewTopics topics(TopicProperties topics) {
        List<String> names = new java.util.ArrayList<>(List.of(Topics.AGENT_PLANNED, Topics.AGENT_COMPLETED));
        names.addAll(CONSUMED);
        CONSUMED.forEach(topic -> names.add(Topics.deadLetter(topic)));
        return new KafkaAdmin.NewTopics(Topics.declare(names, topics.partitions(), topics.replicas(), topics.retention())
                .toArray(NewTopic[]::new));
    }

    @Bean
    DefaultErrorHandler kafkaErrorHandler(KafkaTemplate<String, Object> template, KafkaProperties properties) {
        Map<String, Object> config = properties.buildProducerProperties();
        config.put("value.serializer", ByteArraySerializer.class);
        KafkaTemplate<String, byte[]> raw = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(config));
        Map<Class<?>, KafkaOperations<?, ?>> templates = new java.util.LinkedHashMap<>();
        templates.put(byte[].class, raw);
        templates.put(Object.class, template);
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(templates,
                (record, exception) -> new TopicPartition(Topics.deadLetter(record.topic()), -1));
        recoverer.setHeadersFunction((record, exception) -> new RecordHeaders().add(Topics.FAILURE_REASON_HEADER,
                UnsupportedEventException.reasonOf(exception).getBytes(StandardCharsets.UTF_8)));
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxElapsedTime(Duration.ofSeconds(30).toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(UnsupportedEventException.class);
        return handler;
    }

    @ConfigurationProperties("switchboard.kafka")
    record TopicProperties(@DefaultValue("6") int partitions, @DefaultValue("1") short replicas,
                           @DefaultValue("7d") Duration retention) {
    }
}
