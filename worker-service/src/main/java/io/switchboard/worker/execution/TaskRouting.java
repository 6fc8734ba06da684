package io.switchboard.worker.execution;

import io.switchboard.events.TaskQueues;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/** Sends a task on to a retry tier or to the dead-letter queue, confirmed by the broker. */
@Component
class TaskRouting {

    private final RabbitTemplate rabbit;
    private final Duration confirmTimeout;

    TaskRouting(RabbitTemplate rabbit, WorkerProperties properties) {
        this.rabbit = rabbit;
        this.confirmTimeout = properties.confirmTimeout();
    }

    /** Back to the work queue after the tier's delay, as attempt {@code nextAttempt}. */
    void retry(Message task, int nextAttempt) {
        TaskQueues.RetryTier tier = TaskQueues.retryTier(nextAttempt - 1);
        Message copy = copy(task);
        copy.getMessageProperties().setHeader(TaskQueues.ATTEMPT_HEADER, nextAttempt);
        send(TaskQueues.RETRY_EXCHANGE, tier.routingKey(), copy);
    }

    /** To the dead-letter queue, with why, what was thrown, how often it was tried and where it came from. */
    void deadLetter(Message task, String reason, String exception, int attempts) {
        Message copy = copy(task);
        MessageProperties properties = copy.getMessageProperties();
        properties.setHeader(TaskQueues.FAILURE_REASON_HEADER, reason);
        properties.setHeader(TaskQueues.FAILURE_EXCEPTION_HEADER, exception);
        properties.setHeader(TaskQueues.ATTEMPT_HEADER, attempts);
        properties.setHeader("x-original-exchange", task.getMessageProperties().getReceivedExchange());
        properties.setHeader("x-original-routing-key", task.getMessageProperties().getReceivedRoutingKey());
        send(TaskQueues.DEAD_LETTER_EXCHANGE, TaskQueues.DEAD_LETTER_ROUTING_KEY, copy);
    }

    private void send(String exchange, String routingKey, Message message) {
        CorrelationData correlation = new CorrelationData(message.getMessageProperties().getMessageId());
        rabbit.send(exchange, routingKey, message, correlation);
        try {
            CorrelationData.Confirm confirm = correlation.getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!confirm.ack() || correlation.getReturned() != null) {
                throw new AmqpException("broker did not take the task for " + exchange + "/" + routingKey);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmqpException("interrupted while waiting for a confirm", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AmqpException("no confirm from " + exchange + " within " + confirmTimeout, e);
        }
    }

    private static Message copy(Message message) {
        MessageProperties source = message.getMessageProperties();
        MessageProperties properties = new MessageProperties();
        properties.setContentType(source.getContentType());
        properties.setMessageId(source.getMessageId());
        properties.setPriority(source.getPriority());
        properties.setDeliveryMode(source.getReceivedDeliveryMode());
        source.getHeaders().forEach(properties::setHeader);
        return new Message(message.getBody(), properties);
    }
}
