package io.switchboard.planner.tasks;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolTask;
import io.switchboard.platform.ConfirmedSender;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.stereotype.Component;

/**
 * Enqueues a step's tool tasks on the work queue of their run's lane ({@link ToolTask#lane}):
 * persistent, with the CloudEvents attributes and the priority class as headers, at the RabbitMQ
 * priority of their class less the tenant's {@link FairShare} demotion (counted when the step was
 * started), published {@code mandatory} and confirmed by the broker before the planner moves on
 * (all of a step's tasks are sent first, then their confirms awaited together). They were counted
 * as waiting ({@link io.switchboard.platform.TaskBacklog}) as the step started.
 */
@Component
public class TaskPublisher {

    private final ConfirmedSender sender;

    TaskPublisher(ConfirmedSender sender) {
        this.sender = sender;
    }

    /** {@code demotion}: the tenant's, {@link FairShare#demotion}. */
    public void publish(Envelope cause, List<ToolTask> tasks, String source, int demotion) {
        if (tasks.isEmpty()) {
            return;
        }
        Map<String, List<Message>> byRoutingKey = new LinkedHashMap<>();
        for (ToolTask task : tasks) {
            MessageProperties properties = new MessageProperties();
            properties.setContentType(CloudEventHeaders.JSON);
            properties.setMessageId(task.taskId());
            properties.setPriority(task.priority().amqpPriority(demotion));
            properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
            cause.next(task.taskId(), source, ToolTask.class).toHeaders().forEach(properties::setHeader);
            properties.setHeader(Priority.HEADER, task.priority().wireName());
            byRoutingKey.computeIfAbsent(TaskQueues.workRoutingKey(task.lane()), key -> new ArrayList<>())
                    .add(new Message(EventCodec.encode(task), properties));
        }
        byRoutingKey.forEach((routingKey, messages) -> sender.sendAll(TaskQueues.WORK_EXCHANGE, routingKey, messages));
    }
}
