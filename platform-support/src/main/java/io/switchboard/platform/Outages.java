package io.switchboard.platform;

import java.util.List;

/**
 * Tells a broker or store being unreachable (which passes when it is back) from a failure of the
 * work itself. Work that meets an outage waits and is tried again, without spending the attempts
 * meant for failures of its own.
 */
public final class Outages {

    /** By name, so a service without RabbitMQ on its classpath can still ask. */
    private static final List<String> OUTAGE_TYPES = List.of(
            "org.springframework.dao.DataAccessResourceFailureException",
            "org.springframework.dao.TransientDataAccessException",
            "org.springframework.amqp.AmqpException",
            "org.apache.kafka.common.errors.RetriableException",
            "io.lettuce.core.RedisConnectionException",
            "io.lettuce.core.RedisCommandTimeoutException",
            "io.lettuce.core.RedisLoadingException",
            "io.lettuce.core.RedisBusyException",
            "java.net.SocketException",
            "java.util.concurrent.TimeoutException");

    /**
     * Redis errors that say Redis cannot serve now, not that the command is wrong: loading its data
     * after a restart, a read-only replica after a failover, a cluster or master down, full
     * ({@code maxmemory} with {@code noeviction}), busy with a script.
     */
    private static final List<String> REDIS_UNAVAILABLE = List.of(
            "LOADING", "READONLY", "CLUSTERDOWN", "MASTERDOWN", "TRYAGAIN", "BUSY", "OOM", "NOREPLICAS");

    private Outages() {
    }

    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (redisCannotServe(t)) {
                return true;
            }
            for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
                if (OUTAGE_TYPES.contains(type.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean redisCannotServe(Throwable failure) {
        String reply = failure.getMessage();
        return failure.getClass().getName().equals("io.lettuce.core.RedisCommandExecutionException") && reply != null
                && REDIS_UNAVAILABLE.stream().anyMatch(code -> reply.startsWith(code + " "));
    }
}
