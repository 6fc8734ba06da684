package io.switchboard.composer.store;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;

@Configuration(proxyBeanMethods = false)
class RunStoreConfiguration {

    static final String LISTENER_FACTORY = "runStoreListenerFactory";

    /**
     * Batch listeners with the platform's error handling, record by record: the listener names the
     * record a failure is about ({@code BatchListenerFailedException}), the records before it are
     * committed, and that one is tried again, for as long as any consumer waits out an outage if
     * the store is away, else a few times and then dead-lettered with the reason. Offsets are
     * committed once a second: what a crash makes it store again, it stores once (its writes are
     * idempotent).
     */
    @Bean(LISTENER_FACTORY)
    ConcurrentKafkaListenerContainerFactory<String, Object> runStoreListenerFactory(ConsumerFactory<String, Object> consumers,
                                                                                   DefaultErrorHandler kafkaErrorHandler) {
        ConcurrentKafkaListenerContainerFactory<String, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(consumers);
        factory.setBatchListener(true);
        factory.setConcurrency(1);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.TIME);
        factory.getContainerProperties().setAckTime(1_000);
        // No timer of its own: spring.kafka.listener is the composition's, timed record by record.
        factory.getContainerProperties().setMicrometerEnabled(false);
        factory.setCommonErrorHandler(kafkaErrorHandler);
        return factory;
    }
}
