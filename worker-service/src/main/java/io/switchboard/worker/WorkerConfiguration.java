package io.switchboard.worker;

import io.switchboard.events.TaskQueues;
import io.switchboard.events.Topics;
import io.switchboard.events.cache.ReadThroughCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    /** The task topology, declared here too so that a worker started first finds its queues. */
    @Bean
    Declarables taskTopology() {
        List<Declarable> declarables = new ArrayList<>();
        for (TaskQueues.Route route : TaskQueues.routes()) {
            DirectExchange exchange = new DirectExchange(route.exchange());
            Queue queue = QueueBuilder.durable(route.queue()).withArguments(route.queueArguments()).build();
            declarables.addAll(List.of(exchange, queue, BindingBuilder.bind(queue).to(exchange).with(route.routingKey())));
        }
        return new Declarables(declarables);
    }

    @Bean
    KafkaAdmin.NewTopics topics(TopicProperties topics) {
        return new KafkaAdmin.NewTopics(Topics.declare(List.of(Topics.AGENT_TOOL_CALLED),
                topics.partitions(), topics.replicas(), topics.retention()).toArray(NewTopic[]::new));
    }

    @Bean(destroyMethod = "close")
    ReadThroughCache readThroughCache(MemcachedProperties memcached) {
        return ReadThroughCache.connect(memcached.servers(), memcached.ttl(), memcached.timeout());
    }

    @ConfigurationProperties("switchboard.kafka")
    record TopicProperties(@DefaultValue("6") int partitions, @DefaultValue("1") short replicas,
                           @DefaultValue("7d") Duration retention) {
    }

    @ConfigurationProperties("switchboard.memcached")
    record MemcachedProperties(
            @DefaultValue("127.0.0.1:11211") String servers,
            @DefaultValue("5m") Duration ttl,
            @DefaultValue("200ms") Duration timeout) {
    }
}
