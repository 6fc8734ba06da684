package io.switchboard.worker.execution;

import io.switchboard.events.Priority;
import io.switchboard.events.TaskQueues;
import io.switchboard.platform.ConfirmedSender;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.stereotype.Component;

/**
 * Sends a task on to a retry tier of its lane (the lane of the work queue it was taken from) or to
 * the dead-letter queue, confirmed by the broker.
 */
@Component
class TaskRouting {

    private final ConfirmedSender sender;

    TaskRouting(ConfirmedSender sender) {
        this.sender = sender;
    }

    /**
     * Back to the work queue as attempt {@code nextAttempt}, after its tier's delay jittered down
     * by up to a quarter (the tier's queue TTL is the ceiling), so tasks that failed together do
     * not all come back in the same instant. A failure that said when to try again
     * ({@code notBefore}, a provider's {@code Retry-After}) waits on the first tier whose delay is at
     * least that long, with the expiration jittered a little upwards from it and never past the
     * tier's TTL; a wait longer than the longest tier goes round it again ({@link #holdUntil}).
     */
    void retry(Message task, int nextAttempt, Optional<Duration> notBefore) {
        if (notBefore.isEmpty()) {
            delay(task, TaskQueues.retryTier(nextAttempt - 1), nextAttempt);
            return;
        }
        send(task, hold(notBefore.get(), System.currentTimeMillis()), nextAttempt);
    }

    /** Back on a retry tier as the same attempt, until {@code notBefore} (epoch milliseconds). */
    void holdUntil(Message task, long notBefore) {
        long now = System.currentTimeMillis();
        send(task, hold(Duration.ofMillis(Math.max(0, notBefore - now)), now), attempt(task));
    }

    /**
     * Where a task told to wait goes: the tier, the message's expiration and, if even the longest
     * tier is too short, the time before which the worker holds it again.
     */
    record Hold(TaskQueues.RetryTier tier, long expirationMillis, OptionalLong notBefore) {
    }

    static Hold hold(Duration wait, long now) {
        TaskQueues.RetryTier tier = tierFor(wait);
        return new Hold(tier, notBefore(wait, tier.delay()),
                wait.compareTo(tier.delay()) > 0 ? OptionalLong.of(now + wait.toMillis()) : OptionalLong.empty());
    }

    private void send(Message task, Hold hold, int attempt) {
        Message copy = copy(task);
        hold.notBefore().ifPresentOrElse(at -> copy.getMessageProperties().setHeader(TaskQueues.NOT_BEFORE_HEADER, at),
                () -> copy.getMessageProperties().getHeaders().remove(TaskQueues.NOT_BEFORE_HEADER));
        send(copy, lane(task), hold.tier(), attempt, hold.expirationMillis());
    }

    /** Back to the work queue after the middle tier's delay, as the same attempt: for outages. */
    void retryLater(Message task) {
        delay(task, TaskQueues.retryTier(2), attempt(task));
    }

    private static int attempt(Message task) {
        Object attempt = task.getMessageProperties().getHeaders().get(TaskQueues.ATTEMPT_HEADER);
        return attempt instanceof Number n ? n.intValue() : 1;
    }

    private void delay(Message task, TaskQueues.RetryTier tier, int attempt) {
        send(task, lane(task), tier, attempt, jittered(tier.delay()));
    }

    private void send(Message task, Priority lane, TaskQueues.RetryTier tier, int attempt, long expirationMillis) {
        Message copy = copy(task);
        copy.getMessageProperties().setHeader(TaskQueues.ATTEMPT_HEADER, attempt);
        copy.getMessageProperties().setExpiration(String.valueOf(expirationMillis));
        sender.send(TaskQueues.RETRY_EXCHANGE, tier.routingKey(lane), copy);
    }

    /** The lane of the work queue the task was taken from, whose retry tiers hand it back there. */
    private static Priority lane(Message task) {
        return TaskQueues.laneOf(task.getMessageProperties().getConsumerQueue());
    }

    static long jittered(Duration delay) {
        long millis = delay.toMillis();
        return millis - ThreadLocalRandom.current().nextLong(millis / 4 + 1);
    }

    /** The first retry tier whose delay is at least {@code retryAfter}; the longest if none is. */
    static TaskQueues.RetryTier tierFor(Duration retryAfter) {
        return TaskQueues.RETRY_TIERS.stream().filter(tier -> tier.delay().compareTo(retryAfter) >= 0).findFirst()
                .orElse(TaskQueues.RETRY_TIERS.getLast());
    }

    /**
     * An expiration of {@code retryAfter} plus up to a tenth more (at most 250 ms), so tasks told to
     * wait the same time do not all come back in the same instant; never below {@code retryAfter}
     * (unless the tier cannot hold it) and never above the tier's TTL.
     */
    static long notBefore(Duration retryAfter, Duration tierDelay) {
        long floor = Math.min(Math.max(retryAfter.toMillis(), 0), tierDelay.toMillis());
        long room = Math.min(tierDelay.toMillis() - floor, Math.min(floor / 10, 250));
        return floor + ThreadLocalRandom.current().nextLong(room + 1);
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
