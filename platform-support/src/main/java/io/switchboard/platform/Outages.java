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
            "java.net.SocketException",
            "java.util.concurrent.TimeoutException");

    private Outages() {
    }

    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
                if (OUTAGE_TYPES.contains(type.getName())) {
                    return true;
                }
            }
        }
        return false;
    }
}
