package io.switchboard.gateway;

import io.switchboard.events.Topics;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class KafkaTopicsConfiguration {

    /** The topics this service produces to, created at start-up if missing. */
    @Bean
    KafkaAdmin.NewTopics topics(TopicProperties topics) {
        return new KafkaAdmin.NewTopics(Topics.declare(List.of(Topics.AGENT_REQUESTED),
                topics.partitions(), topics.replicas(), topics.retention()).toArray(new org.apache.kafka.clients.admin.NewTopic[0]));
    }

    @ConfigurationProperties("switchboard.kafka")
    record TopicProperties(@DefaultValue("6") int partitions, @DefaultValue("1") short replicas,
                           @DefaultValue("7d") Duration retention) {
    }
}
