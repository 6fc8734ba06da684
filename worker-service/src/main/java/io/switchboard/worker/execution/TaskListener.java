package io.switchboard.worker.execution;

import io.switchboard.events.TaskQueues;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * Takes tool tasks from the work queue of each lane. The delivery is acked when this returns, which
 * is after the outcome is in Kafka (or the task is safely on a retry tier or dead-lettered). The
 * background lane has consumers of its own, fewer ({@code switchboard.worker.background-consumers}):
 * however much background work waits, it holds at most that many of a worker's calls, and an
 * interactive task always finds one of the interactive consumers free to take it.
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

    @RabbitListener(id = "background-tool-tasks", queues = TaskQueues.BACKGROUND_WORK_QUEUE,
            concurrency = "${switchboard.worker.background-consumers}")
    void onBackgroundTask(Message task) {
        execution.handle(task);
    }
}
