package io.switchboard.worker.execution;

import io.switchboard.events.TaskQueues;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * Takes tool tasks. The delivery is acked when this returns, which is after the outcome is in
 * Kafka (or the task is safely on a retry tier or dead-lettered).
 */
@Component
class TaskListener {

    private final TaskExecution execution;

    TaskListener(TaskExecution execution) {
        this.execution = execution;
    }

    @RabbitListener(id = "tool-tasks", queues = TaskQueues.WORK_QUEUE)
    void onTask(Message task) {
        execution.handle(task);
    }
}
