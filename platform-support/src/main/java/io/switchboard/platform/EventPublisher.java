package io.switchboard.platform;

import io.micrometer.tracing.Baggage;
import io.micrometer.tracing.BaggageInScope;
import io.micrometer.tracing.Tracer;
import io.switchboard.events.Envelope;
import io.switchboard.events.kafka.CloudEventRecords;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes an event to Kafka and returns only once the broker acknowledged it ({@code acks=all},
 * idempotent producer), so no caller acts on an event that may not exist. The event's tenant, run
 * and correlation id travel as trace baggage with its {@code traceparent}, so every service's log
 * lines about the run carry them ({@code management.tracing.baggage}).
 */
public class EventPublisher {

    private final KafkaTemplate<String, Object> kafka;
    private final Duration timeout;
    private final Tracer tracer;

    EventPublisher(KafkaTemplate<String, Object> kafka, Duration timeout, Tracer tracer) {
        this.kafka = kafka;
        this.timeout = timeout;
        this.tracer = tracer;
    }

    /** Sends {@code event} keyed by conversation; throws {@link KafkaException} unless Kafka acknowledged it in time. */
    public void publish(String topic, String conversationId, Envelope envelope, Record event) {
        try (BaggageInScope tenant = baggage("tenant", envelope.tenantId());
             BaggageInScope run = baggage("runId", envelope.runId());
             BaggageInScope correlation = baggage("correlationId", envelope.correlationId())) {
            kafka.send(CloudEventRecords.record(topic, conversationId, envelope, event))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while publishing " + envelope.type() + " to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("Kafka did not acknowledge " + envelope.type() + " on " + topic + " within " + timeout, e);
        }
    }

    /** The value as the current trace's baggage, unless it is that already (then closing it would drop it from the logs). */
    private BaggageInScope baggage(String name, String value) {
        Baggage current = tracer.getBaggage(name);
        if (value == null || current != null && value.equals(current.get())) {
            return BaggageInScope.NOOP;
        }
        return tracer.createBaggageInScope(name, value);
    }
}
