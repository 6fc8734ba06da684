package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisLoadingException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

class OutagesTest {

    @Test
    void anUnreachableBrokerOrStoreIsAnOutageHoweverDeeplyWrapped() {
        assertThat(Outages.isOutage(new RedisConnectionFailureException("refused"))).isTrue();
        assertThat(Outages.isOutage(new AmqpConnectException(new java.net.ConnectException("refused")))).isTrue();
        assertThat(Outages.isOutage(new KafkaException("not acknowledged", new TimeoutException()))).isTrue();
        assertThat(Outages.isOutage(new ListenerExecutionFailedException("listener failed",
                new RedisConnectionFailureException("refused")))).isTrue();
        assertThat(Outages.isOutage(new RedisSystemException("Redis exception", new java.net.SocketException("Connection reset"))))
                .isTrue();
    }

    /** As Spring Data Redis hands them over (a {@code RedisSystemException} around Lettuce's error). */
    @Test
    void aRedisThatCannotServeNowIsAnOutage() {
        assertThat(Outages.isOutage(new RedisSystemException("Redis exception",
                new RedisLoadingException("LOADING Redis is loading the dataset in memory")))).isTrue();
        for (String reply : List.of("READONLY You can't write against a read only replica.", "CLUSTERDOWN The cluster is down",
                "OOM command not allowed when used memory > 'maxmemory'.", "MASTERDOWN Link with MASTER is down")) {
            assertThat(Outages.isOutage(new RedisSystemException("Redis exception", new RedisCommandExecutionException(reply))))
                    .as(reply).isTrue();
        }
        assertThat(Outages.isOutage(new RedisSystemException("Redis exception",
                new RedisCommandExecutionException("WRONGTYPE Operation against a key holding the wrong kind of value")))).isFalse();
        assertThat(Outages.isOutage(new RedisSystemException("Redis exception",
                new RedisCommandExecutionException("ERR unknown command")))).isFalse();
    }

    @Test
    void aFailureOfTheWorkItselfIsNot() {
        assertThat(Outages.isOutage(new IllegalStateException("bug"))).isFalse();
        assertThat(Outages.isOutage(new ListenerExecutionFailedException("listener failed", new NullPointerException()))).isFalse();
    }
}
