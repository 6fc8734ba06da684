package io.switchboard.operations.deadletters;

import io.switchboard.events.TaskQueues;
import io.switchboard.platform.ConfirmedSender;
import io.switchboard.platform.PlatformProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Sends an archived dead letter back where it was first sent, and forgets it once the broker has
 * it: a Kafka record with its key, bytes and headers, acknowledged like every publish; a task
 * through a confirmed send, as attempt 1. The failure headers stay behind. What is sent carries
 * {@value #REDRIVEN_FROM_HEADER}, so if it dies again it is archived as a new dead letter.
 */
@Service
class Redrive implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(Redrive.class);
    static final String REDRIVEN_FROM_HEADER = "x-switchboard-redriven-from";

    private final DeadLetters deadLetters;
    private final ConfirmedSender tasks;
    private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
    private final KafkaTemplate<byte[], byte[]> kafka;
    private final Duration sendTimeout;

    Redrive(DeadLetters deadLetters, ConfirmedSender tasks, KafkaProperties kafkaProperties, PlatformProperties properties) {
        this.deadLetters = deadLetters;
        this.tasks = tasks;
        Map<String, Object> config = kafkaProperties.buildProducerProperties();
        this.producers = new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.kafka = new KafkaTemplate<>(producers);
        this.sendTimeout = properties.kafka().sendTimeout();
    }

    /**
     * Where the dead letter went; throws {@link KafkaException} or {@link org.springframework.amqp.AmqpException}
     * if the broker did not take it, and the dead letter is then kept.
     */
    String redrive(DeadLetter letter) {
        String destination = letter.kafka() != null ? toKafka(letter) : toRabbit(letter);
        deadLetters.remove(letter.id());
        LOG.info("redrove dead letter {} to {}", letter.id(), destination);
        return destination;
    }

    private String toKafka(DeadLetter letter) {
        DeadLetter.KafkaOriginal original = letter.kafka();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(original.topic(), original.key(), letter.payload());
        original.headers().forEach(header -> record.headers().add(header.name(), header.value()));
        record.headers().add(REDRIVEN_FROM_HEADER, letter.id().getBytes(StandardCharsets.UTF_8));
        try {
            kafka.send(record).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while redriving " + letter.id(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("Kafka did not acknowledge redriven " + letter.id() + " on " + original.topic()
                    + " within " + sendTimeout, e);
        }
        return original.topic();
    }

    private String toRabbit(DeadLetter letter) {
        DeadLetter.RabbitOriginal original = letter.rabbit();
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(original.messageId() != null ? original.messageId() : letter.id());
        if (original.priority() != null) {
            properties.setPriority(original.priority());
        }
        properties.setContentType(original.contentType());
        original.headers().forEach(properties::setHeader);
        properties.setHeader(TaskQueues.ATTEMPT_HEADER, 1);
        properties.setHeader(REDRIVEN_FROM_HEADER, letter.id());
        tasks.send(original.exchange(), original.routingKey(), new Message(letter.payload(), properties));
        return original.destination();
    }

    @Override
    public void destroy() {
        producers.destroy();
    }
}
