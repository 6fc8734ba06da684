package io.switchboard.worker.execution;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Background work yields to interactive work on a worker. While the worker has taken an
 * interactive task in the last {@link #QUIET}, its background lane keeps
 * {@code switchboard.worker.background-consumers-while-interactive} consumers; once the interactive
 * lane is quiet again, {@code switchboard.worker.background-consumers}. A background flood then
 * leaves the CPU and the tools' capacity to the interactive tasks that come, and has them all when
 * none do. A consumer that is let go finishes its task first.
 */
@Component
class BackgroundYield {

    static final Duration QUIET = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundYield.class);

    private final RabbitListenerEndpointRegistry listeners;
    private final int consumers;
    private final int whileInteractive;
    private volatile long interactiveTakenAt = System.nanoTime() - QUIET.toNanos();
    private int current;

    BackgroundYield(RabbitListenerEndpointRegistry listeners, @Value("${switchboard.worker.background-consumers}") int consumers,
                    @Value("${switchboard.worker.background-consumers-while-interactive}") int whileInteractive) {
        this.listeners = listeners;
        this.consumers = consumers;
        this.whileInteractive = Math.max(1, Math.min(whileInteractive, consumers));
        this.current = consumers;
    }

    void interactiveTaskTaken() {
        interactiveTakenAt = System.nanoTime();
    }

    @Scheduled(fixedDelay = 100)
    void adjust() {
        int wanted = System.nanoTime() - interactiveTakenAt < QUIET.toNanos() ? whileInteractive : consumers;
        MessageListenerContainer container = listeners.getListenerContainer(TaskListener.BACKGROUND);
        if (wanted != current && container instanceof SimpleMessageListenerContainer background && background.isRunning()) {
            LOG.debug("background lane: {} consumers", wanted);
            background.setConcurrentConsumers(wanted);
            current = wanted;
        }
    }
}
