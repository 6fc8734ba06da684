package io.switchboard.operations.deadletters;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.amqp.rabbit.retry.ImmediateRequeueMessageRecoverer;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The intake's error handling: a dead letter that cannot be archived (Redis away) is never
 * dropped and never dead-lettered again. Kafka retries it with backoff for as long as it takes,
 * without committing; RabbitMQ retries it a few times (spring.rabbitmq.listener.simple.retry),
 * then puts it back on the queue.
 */
@Configuration(proxyBeanMethods = false)
class DeadLetterConfiguration {

    static final String CONTAINER_FACTORY = "deadLetterContainerFactory";

    /** Dead-letter topics hold what could not be read, so they are read as bytes, whatever they hold. */
    @Bean(CONTAINER_FACTORY)
    ConcurrentKafkaListenerContainerFactory<byte[], byte[]> deadLetterContainerFactory(KafkaProperties properties) {
        Map<String, Object> config = properties.buildConsumerProperties();
        ConcurrentKafkaListenerContainerFactory<byte[], byte[]> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config,
                new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.RECORD);
        factory.getContainerProperties().setObservationEnabled(properties.getListener().isObservationEnabled());
        ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
        backOff.setMaxInterval(30_000);
        factory.setCommonErrorHandler(new DefaultErrorHandler(backOff));
        return factory;
    }

    @Bean
    MessageRecoverer deadTaskRecoverer() {
        return new ImmediateRequeueMessageRecoverer();
    }
}
