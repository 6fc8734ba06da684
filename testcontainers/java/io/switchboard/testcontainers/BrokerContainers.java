package io.switchboard.testcontainers;

import java.util.stream.Stream;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The brokers as containers, for machines with Docker: started once per test JVM and wired into
 * every Spring test context through {@code @ServiceConnection}. Memcached has no connection
 * details in Boot, so its address goes in as a property; the Kafka address is also published as
 * the system property {@code switchboard.test.kafka-bootstrap} for test clients outside Spring.
 */
@TestConfiguration(proxyBeanMethods = false)
class BrokerContainers {

    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.2"));
    static final RabbitMQContainer RABBITMQ = new RabbitMQContainer(DockerImageName.parse("rabbitmq:3.13-management"));
    static final PostgreSQLContainer POSTGRES = new PostgreSQLContainer(DockerImageName.parse("postgres:15"));
    static final GenericContainer<?> REDIS = new GenericContainer<>(DockerImageName.parse("redis:7.4-alpine")).withExposedPorts(6379);
    static final GenericContainer<?> MEMCACHED = new GenericContainer<>(DockerImageName.parse("memcached:1.6-alpine"))
            .withExposedPorts(11211);

    static {
        Startables.deepStart(Stream.of(KAFKA, RABBITMQ, REDIS, MEMCACHED, POSTGRES)).join();
        System.setProperty("switchboard.test.kafka-bootstrap", KAFKA.getBootstrapServers());
    }

    @Bean
    @ServiceConnection
    KafkaContainer kafka() {
        return KAFKA;
    }

    @Bean
    @ServiceConnection
    RabbitMQContainer rabbitmq() {
        return RABBITMQ;
    }

    @Bean
    @ServiceConnection
    PostgreSQLContainer postgres() {
        return POSTGRES;
    }

    @Bean
    @ServiceConnection(name = "redis")
    GenericContainer<?> redis() {
        return REDIS;
    }

    @Bean
    DynamicPropertyRegistrar memcached() {
        return registry -> registry.add("switchboard.memcached.servers",
                () -> MEMCACHED.getHost() + ":" + MEMCACHED.getMappedPort(11211));
    }
}
