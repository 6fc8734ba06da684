package io.switchboard.planner.planning;

import io.switchboard.events.TaskQueues;
import io.switchboard.platform.OutageLog;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Plans background runs only as fast as the workers take their tasks. While the background lane's
 * work queue holds more than {@code tasksAheadPerConsumer} tasks for each of its consumers, the
 * planner takes no new background runs ({@code agent.requested.background} is paused: Kafka keeps
 * them, at no cost); it takes them again once the queue is down to half of that. A flood of
 * background runs then waits in Kafka instead of being planned ahead into RabbitMQ, and the CPU,
 * Redis and RabbitMQ that planning it would take stay free for interactive runs. The steps of runs
 * already started go on being planned.
 */
@Component
class BackgroundPacing {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPacing.class);
    private static final OutageLog NOT_READ = new OutageLog(LOG, Duration.ofMinutes(1));

    private final AmqpAdmin rabbit;
    private final KafkaListenerEndpointRegistry listeners;
    private final PacingProperties properties;

    BackgroundPacing(AmqpAdmin rabbit, KafkaListenerEndpointRegistry listeners, PacingProperties properties) {
        this.rabbit = rabbit;
        this.listeners = listeners;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${switchboard.planning.background-pacing.interval:500ms}")
    void pace() {
        MessageListenerContainer requests = listeners.getListenerContainer(PlanningListener.REQUESTED_BACKGROUND);
        if (requests == null) {
            return;
        }
        QueueInformation queue;
        try {
            queue = rabbit.getQueueInfo(TaskQueues.BACKGROUND_WORK_QUEUE);
        } catch (AmqpException e) {
            NOT_READ.warn("background pacing: the background work queue could not be read; pacing stays as it was", e);
            return;
        }
        if (queue == null) {
            return;
        }
        long limit = properties.tasksAheadPerConsumer() * Math.max(1, queue.getConsumerCount());
        if (queue.getMessageCount() > limit && !requests.isPauseRequested()) {
            LOG.info("{} background tasks wait for {} consumers: new background runs wait in Kafka", queue.getMessageCount(),
                    queue.getConsumerCount());
            requests.pause();
        } else if (queue.getMessageCount() <= limit / 2 && requests.isPauseRequested()) {
            LOG.info("{} background tasks wait: new background runs are planned again", queue.getMessageCount());
            requests.resume();
        }
    }

    /**
     * @param tasksAheadPerConsumer background tasks that may wait in the work queue for each of its
     *                              consumers before new background runs wait in Kafka
     */
    @ConfigurationProperties("switchboard.planning.background-pacing")
    record PacingProperties(@DefaultValue("20") long tasksAheadPerConsumer) {
    }
}
