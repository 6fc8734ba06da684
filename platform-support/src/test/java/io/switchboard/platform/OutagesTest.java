package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void aFailureOfTheWorkItselfIsNot() {
        assertThat(Outages.isOutage(new IllegalStateException("bug"))).isFalse();
        assertThat(Outages.isOutage(new ListenerExecutionFailedException("listener failed", new NullPointerException()))).isFalse();
    }
}
