package io.switchboard.planner.tasks;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolTask;
import io.switchboard.platform.ConfirmedSender;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.stereotype.Component;

/**
 * Enqueues tool tasks: persistent, prioritized, with the CloudEvents attributes as headers,
 * published {@code mandatory} and confirmed by the broker before the planner moves on.
 */
@Component
public class TaskPublisher {

    private final ConfirmedSender sender;

    TaskPublisher(ConfirmedSender sender) {
        this.sender = sender;
    }

    public void publish(Envelope envelope, ToolTask task) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(CloudEventHeaders.JSON);
        properties.setMessageId(task.taskId());
        properties.setPriority(task.priority().amqpPriority());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        envelope.toHeaders().forEach(properties::setHeader);
        sender.send(TaskQueues.WORK_EXCHANGE, TaskQueues.WORK_ROUTING_KEY, new Message(EventCodec.encode(task), properties));
    }
}
