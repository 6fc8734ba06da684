package io.switchboard.platform;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Sends to RabbitMQ and returns only once the broker confirmed the message and routed it to a
 * queue ({@code mandatory}); anything else is an {@link AmqpException}.
 */
public class ConfirmedSender {

    private final RabbitTemplate rabbit;
    private final Duration timeout;

    ConfirmedSender(RabbitTemplate rabbit, Duration timeout) {
        this.rabbit = rabbit;
        this.timeout = timeout;
    }

    public void send(String exchange, String routingKey, Message message) {
        sendAll(exchange, routingKey, List.of(message));
    }

    /** Sends all messages, then waits for their confirms together: one wait for the broker, not one per message. */
    public void sendAll(String exchange, String routingKey, List<Message> messages) {
        List<CorrelationData> correlations = new ArrayList<>();
        for (Message message : messages) {
            CorrelationData correlation = new CorrelationData(message.getMessageProperties().getMessageId());
            rabbit.send(exchange, routingKey, message, correlation);
            correlations.add(correlation);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CorrelationData correlation : correlations) {
            confirmed(correlation, exchange, routingKey, deadline);
        }
    }

    private void confirmed(CorrelationData correlation, String exchange, String routingKey, long deadline) {
        String id = correlation.getId();
        try {
            CorrelationData.Confirm confirm = correlation.getFuture().get(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
            if (!confirm.ack()) {
                throw new AmqpException("broker refused message " + id + ": " + confirm.reason());
            }
            if (correlation.getReturned() != null) {
                throw new AmqpException("message " + id + " was not routed from " + exchange + "/" + routingKey
                        + ": " + correlation.getReturned().getReplyText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmqpException("interrupted while waiting for the confirm of message " + id, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AmqpException("no confirm for message " + id + " within " + timeout, e);
        }
    }
}
