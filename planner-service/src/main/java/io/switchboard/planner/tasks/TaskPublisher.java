package io.switchboard.planner.tasks;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolTask;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;

/**
 * Enqueues tool tasks: persistent, prioritized, with the CloudEvents attributes as headers,
 * published {@code mandatory} and confirmed by the broker before the planner moves on.
 */
@Component
public class TaskPublisher {

    private final RabbitTemplate rabbit;
    private final Duration confirmTimeout;

    TaskPublisher(RabbitTemplate rabbit, TaskPublisherProperties properties) {
        this.rabbit = rabbit;
        this.confirmTimeout = properties.confirmTimeout();
    }

    public void publish(Envelope envelope, ToolTask task) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(CloudEventHeaders.JSON);
        properties.setMessageId(task.taskId());
        properties.setPriority(task.priority().amqpPriority());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        envelope.toHeaders().forEach(properties::setHeader);
        Message message = new Message(EventCodec.encode(task), properties);
        CorrelationData correlation = new CorrelationData(task.taskId());
        rabbit.send(TaskQueues.WORK_EXCHANGE, TaskQueues.WORK_ROUTING_KEY, message, correlation);
        awaitConfirm(task, correlation);
    }

    private void awaitConfirm(ToolTask task, CorrelationData correlation) {
        try {
            CorrelationData.Confirm confirm = correlation.getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!confirm.ack()) {
                throw new AmqpException("broker refused task " + task.taskId() + ": " + confirm.reason());
            }
            if (correlation.getReturned() != null) {
                throw new AmqpException("task " + task.taskId() + " was not routed to any queue: "
                        + correlation.getReturned().getReplyText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmqpException("interrupted while waiting for the confirm of task " + task.taskId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AmqpException("no confirm for task " + task.taskId() + " within " + confirmTimeout, e);
        }
    }

    @ConfigurationProperties("switchboard.tasks")
    record TaskPublisherProperties(@DefaultValue("10s") Duration confirmTimeout) {
    }
}
