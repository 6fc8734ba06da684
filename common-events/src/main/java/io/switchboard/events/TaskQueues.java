package io.switchboard.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * RabbitMQ names for tool tasks: the work exchange and its priority queues, one per lane, the retry
 * tiers (TTL queues that dead-letter back to the work exchange, one set per lane) and the
 * dead-letter exchange and queue.
 */
public final class TaskQueues {

    public static final String WORK_EXCHANGE = "switchboard.tasks";
    public static final String WORK_QUEUE = "switchboard.tasks.tools";
    public static final String WORK_ROUTING_KEY = "tool";
    /**
     * The tasks of runs on the background lane ({@link ToolTask#lane}): a queue of their own, which
     * each worker takes from with consumers of its own, so background work holds a bounded share of
     * a worker and interactive tasks always find consumers free.
     */
    public static final String BACKGROUND_WORK_QUEUE = "switchboard.tasks.tools.background";
    public static final String BACKGROUND_WORK_ROUTING_KEY = "tool.background";
    public static final int MAX_PRIORITY = 10;

    public static final String RETRY_EXCHANGE = "switchboard.tasks.retry";

    public static final String DEAD_LETTER_EXCHANGE = "switchboard.tasks.dlx";
    public static final String DEAD_LETTER_QUEUE = "switchboard.tasks.dlq";
    public static final String DEAD_LETTER_ROUTING_KEY = "dead";

    /** Header counting how often a task was tried; absent on the first attempt. */
    public static final String ATTEMPT_HEADER = "x-switchboard-attempt";
    /** Epoch milliseconds before which a task is not tried: a wait longer than the longest retry tier holds. */
    public static final String NOT_BEFORE_HEADER = "x-switchboard-not-before";
    public static final String FAILURE_REASON_HEADER = "x-switchboard-failure-reason";
    public static final String FAILURE_EXCEPTION_HEADER = "x-switchboard-failure-exception";

    /** Delayed retry tiers; a task's n-th retry waits in tier min(n, size) - 1. */
    public static final List<RetryTier> RETRY_TIERS = List.of(
            new RetryTier("1s", Duration.ofSeconds(1)),
            new RetryTier("5s", Duration.ofSeconds(5)),
            new RetryTier("30s", Duration.ofSeconds(30)));

    private TaskQueues() {
    }

    public record RetryTier(String name, Duration delay) {

        /** The tier's queue for tasks of {@code lane}, which hands them back to that lane's work queue. */
        public String queue(Priority lane) {
            return "switchboard.tasks.retry." + routingKey(lane);
        }

        public String routingKey(Priority lane) {
            return lane == Priority.BACKGROUND ? name + ".background" : name;
        }
    }

    /** The routing key of the work queue of {@code lane}. */
    public static String workRoutingKey(Priority lane) {
        return lane == Priority.BACKGROUND ? BACKGROUND_WORK_ROUTING_KEY : WORK_ROUTING_KEY;
    }

    /** The lane whose work queue {@code queue} is; interactive for any other name. */
    public static Priority laneOf(String queue) {
        return BACKGROUND_WORK_QUEUE.equals(queue) ? Priority.BACKGROUND : Priority.INTERACTIVE;
    }

    /** An exchange, a queue and the binding between them; services declare these at start-up. */
    public record Route(String exchange, String queue, String routingKey, Map<String, Object> queueArguments) {
    }

    /** The whole topology: work queues, retry tiers, dead-letter queue. All exchanges are direct, all queues durable. */
    public static List<Route> routes() {
        List<Route> routes = new java.util.ArrayList<>();
        routes.add(new Route(WORK_EXCHANGE, WORK_QUEUE, WORK_ROUTING_KEY, workQueueArguments()));
        routes.add(new Route(WORK_EXCHANGE, BACKGROUND_WORK_QUEUE, BACKGROUND_WORK_ROUTING_KEY, workQueueArguments()));
        for (Priority lane : Priority.values()) {
            RETRY_TIERS.forEach(tier -> routes.add(
                    new Route(RETRY_EXCHANGE, tier.queue(lane), tier.routingKey(lane), retryQueueArguments(tier, lane))));
        }
        routes.add(new Route(DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE, DEAD_LETTER_ROUTING_KEY, Map.of()));
        return List.copyOf(routes);
    }

    /** A work queue: priorities, and rejected (unreadable) tasks straight to the dead-letter exchange. */
    static Map<String, Object> workQueueArguments() {
        return Map.of("x-max-priority", MAX_PRIORITY,
                "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE,
                "x-dead-letter-routing-key", DEAD_LETTER_ROUTING_KEY);
    }

    /** A retry tier holds a task for its delay, then dead-letters it back to its lane's work queue. */
    static Map<String, Object> retryQueueArguments(RetryTier tier, Priority lane) {
        return Map.of("x-message-ttl", tier.delay().toMillis(),
                "x-dead-letter-exchange", WORK_EXCHANGE,
                "x-dead-letter-routing-key", workRoutingKey(lane));
    }

    public static RetryTier retryTier(int retry) {
        return RETRY_TIERS.get(Math.min(Math.max(retry, 1), RETRY_TIERS.size()) - 1);
    }
}
