package io.switchboard.platform;

import io.switchboard.events.TaskQueues;
import io.switchboard.events.Topics;
import io.switchboard.events.UnsupportedEventException;
import io.switchboard.platform.agents.AgentCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.spy.memcached.MemcachedClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/** The wiring every Switchboard service shares; each service gets it by depending on this module. */
@AutoConfiguration
@EnableConfigurationProperties(PlatformProperties.class)
public class PlatformAutoConfiguration {

    /** Refuses to start without the brokers' credentials outside the local profile ({@link StartupChecks}). */
    @Bean
    static BeanFactoryPostProcessor brokerCredentialsCheck(Environment environment) {
        return beanFactory -> StartupChecks.brokers(environment);
    }

    @Bean
    EventPublisher eventPublisher(KafkaTemplate<String, Object> kafka, PlatformProperties properties, ObjectProvider<Tracer> tracer) {
        return new EventPublisher(kafka, properties.kafka().sendTimeout(), tracer.getIfAvailable(() -> Tracer.NOOP));
    }

    @Bean
    RunEventLog runEventLog(StringRedisTemplate redis, PlatformProperties properties) {
        return new RunEventLog(redis, properties.runs().retention());
    }

    /** The platform's agents and prompt templates, as {@code switchboard.agents.catalog} has them. */
    @Bean
    AgentCatalog agentCatalog(PlatformProperties properties) throws IOException {
        return AgentCatalog.read(properties.agents().catalog().getInputStream());
    }

    @Bean
    TaskBacklog taskBacklog(StringRedisTemplate redis) {
        return new TaskBacklog(redis);
    }

    @Bean
    InteractiveShare interactiveShare(StringRedisTemplate redis, PlatformProperties properties) {
        return new InteractiveShare(properties.fairShare(), redis, Clock.systemUTC());
    }

    @Bean
    ToolOutputs toolOutputs(StringRedisTemplate redis, PlatformProperties properties) {
        return new ToolOutputs(redis, properties.runs().inlineOutput().toBytes(), properties.runs().retention());
    }

    @Bean
    RunEnding runEnding(RunEventLog runEvents, EventPublisher events, ObjectProvider<MeterRegistry> meters) {
        return new RunEnding(runEvents, events, meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    /** Tenant tags are bounded: past {@code switchboard.metrics.max-tenants} tenants, the rest count as {@code other}. */
    @Bean
    TenantTagLimit tenantTagLimit(PlatformProperties properties) {
        return new TenantTagLimit(properties.metrics().maxTenants());
    }

    @Bean
    TokenBudgets tokenBudgets(StringRedisTemplate redis, PlatformProperties properties) {
        return new TokenBudgets(redis, properties.runs().stateRetention(), Clock.systemUTC());
    }

    /** Marks are kept per service: {@code sb:<spring.application.name>:done:<id>}. */
    @Bean
    ProcessedEvents processedEvents(StringRedisTemplate redis, PlatformProperties properties,
                                    @Value("${spring.application.name}") String service,
                                    ObjectProvider<MeterRegistry> meters) {
        PlatformProperties.Dedupe dedupe = properties.dedupe();
        return new ProcessedEvents(redis, service, properties.runs().stateRetention(),
                BloomFilter.sizedFor(dedupe.bloomCapacity(), dedupe.bloomFalsePositiveRate()), Clock.systemUTC(),
                meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    KeyedBatches keyedBatches(ObjectProvider<ObservationRegistry> observations) {
        return new KeyedBatches(observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    /**
     * The consumers of {@link KeyedBatches} are timed record by record in its observations
     * ({@code spring.kafka.listener}, by listener id and topic). A container's own timer of a whole poll
     * has the same name with other tags, and the registry would refuse the records' timers.
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> recordTimersOnly() {
        return container -> container.getContainerProperties().setMicrometerEnabled(false);
    }

    /**
     * Every topic and its dead-letter topic, created at start-up if missing, whichever service
     * starts first. Retention is long enough to replay; a dead-letter topic has the partitions of
     * its source topic.
     */
    @Bean
    KafkaAdmin.NewTopics switchboardTopics(PlatformProperties properties) {
        PlatformProperties.Kafka kafka = properties.kafka();
        Map<String, String> configs = Map.of("retention.ms", String.valueOf(kafka.retention().toMillis()));
        return new KafkaAdmin.NewTopics(Topics.ALL.stream()
                .flatMap(topic -> Stream.of(topic, Topics.deadLetter(topic)))
                .map(name -> new NewTopic(name, kafka.partitions(), kafka.replicas()).configs(configs))
                .toArray(NewTopic[]::new));
    }

    /**
     * Errors of every listener, handled once: unreadable records (not JSON, wrong shape, unknown
     * version, no tenant) go straight to {@code <topic>.dlt} with the reason in a header; other
     * failures are retried with backoff for half a minute, then dead-lettered too. An outage of
     * Redis, RabbitMQ or Kafka is waited out for longer ({@code switchboard.kafka.outage-patience}).
     * A consumer never crashes or loops on a record.
     */
    @Bean
    DefaultErrorHandler kafkaErrorHandler(KafkaTemplate<String, Object> template, KafkaProperties properties,
                                          PlatformProperties platform) {
        Map<String, Object> config = properties.buildProducerProperties();
        config.put("value.serializer", ByteArraySerializer.class);
        Map<Class<?>, KafkaOperations<?, ?>> templates = new LinkedHashMap<>();
        templates.put(byte[].class, new KafkaTemplate<>(new DefaultKafkaProducerFactory<String, byte[]>(config)));
        templates.put(Object.class, template);
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(templates,
                (record, exception) -> new TopicPartition(Topics.deadLetter(record.topic()), -1));
        recoverer.setHeadersFunction((record, exception) -> new RecordHeaders().add(Topics.FAILURE_REASON_HEADER,
                UnsupportedEventException.reasonOf(exception).getBytes(StandardCharsets.UTF_8)));
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxElapsedTime(30_000);
        ExponentialBackOff outageBackOff = new ExponentialBackOff(1_000, 2.0);
        outageBackOff.setMaxInterval(10_000);
        outageBackOff.setMaxElapsedTime(platform.kafka().outagePatience().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(UnsupportedEventException.class);
        handler.setBackOffFunction((record, exception) -> Outages.isOutage(exception) ? outageBackOff : null);
        return handler;
    }

    /** The tool-task exchanges and queues, declared by every service that touches them, and confirmed sends. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Declarables.class)
    static class TaskTopologyConfiguration {

        @Bean
        ConfirmedSender confirmedSender(RabbitTemplate rabbit, PlatformProperties properties) {
            return new ConfirmedSender(rabbit, properties.tasks().confirmTimeout());
        }

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
    }

    /** Definitions read through Memcached, for the services that configure it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty("switchboard.memcached.servers")
    static class ReadThroughConfiguration {

        /** The one Memcached client of the process, shared by every read-through cache. */
        @Bean(destroyMethod = "shutdown")
        MemcachedClient memcachedClient(PlatformProperties properties) {
            return ReadThroughCache.client(properties.memcached().servers(), properties.memcached().timeout());
        }

        @Bean
        ReadThroughCache readThroughCache(MemcachedClient client, PlatformProperties properties) {
            return new ReadThroughCache(client, properties.memcached().ttl(), properties.memcached().timeout());
        }

        @Bean
        AgentDefinitions agentDefinitions(ReadThroughCache cache, AgentCatalog catalog, StringRedisTemplate redis) {
            return new AgentDefinitions(cache, catalog, redis);
        }
    }
}
