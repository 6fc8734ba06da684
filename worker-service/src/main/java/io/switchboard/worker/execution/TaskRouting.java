package io.switchboard.worker.execution;

import io.switchboard.events.TaskQueues;
import io.switchboard.platform.ConfirmedSender;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.stereotype.Component;

/** Sends a task on to a retry tier or to the dead-letter queue, confirmed by the broker. */
@Component
class TaskRouting {

    private final ConfirmedSender sender;

    TaskRouting(ConfirmedSender sender) {
        this.sender = sender;
    }

    /** Back to the work queue after the tier's delay, as attempt {@code nextAttempt}. */
    void retry(Message task, int nextAttempt) {
        TaskQueues.RetryTier tier = TaskQueues.retryTier(nextAttempt - 1);
        Message copy = copy(task);
        copy.getMessageProperties().setHeader(TaskQueues.ATTEMPT_HEADER, nextAttempt);
        sender.send(TaskQueues.RETRY_EXCHANGE, tier.routingKey(), copy);
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
        sender.send(TaskQueues.DEAD_LETTER_EXCHANGE, TaskQueues.DEAD_LETTER_ROUTING_KEY, copy);
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
