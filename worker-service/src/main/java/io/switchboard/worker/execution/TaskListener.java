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
 * interactive task always finds one of the interactive consumers free to take it. While interactive
 * tasks come, the background lane has fewer still ({@link BackgroundYield}).
 */
@Component
class TaskListener {

    static final String BACKGROUND = "background-tool-tasks";

    private final TaskExecution execution;
    private final BackgroundYield yield;

    TaskListener(TaskExecution execution, BackgroundYield yield) {
        this.execution = execution;
        this.yield = yield;
    }

    @RabbitListener(id = "tool-tasks", queues = TaskQueues.WORK_QUEUE)
    void onTask(Message task) {
        yield.interactiveTaskTaken();
        execution.handle(task);
    }

    @RabbitListener(id = BACKGROUND, queues = TaskQueues.BACKGROUND_WORK_QUEUE,
            concurrency = "${switchboard.worker.background-consumers}")
    void onBackgroundTask(Message task) {
        execution.handle(task);
    }
}
