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
     * the store is away, else a few times and then dead-lettered with the reason.
     */
    @Bean(LISTENER_FACTORY)
    ConcurrentKafkaListenerContainerFactory<String, Object> runStoreListenerFactory(ConsumerFactory<String, Object> consumers,
                                                                                   DefaultErrorHandler kafkaErrorHandler) {
        ConcurrentKafkaListenerContainerFactory<String, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(consumers);
        factory.setBatchListener(true);
        factory.setConcurrency(2);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
        factory.setCommonErrorHandler(kafkaErrorHandler);
        return factory;
    }
}
