package io.switchboard.gateway.idempotency;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/** The real {@link IdempotentRequests} with its properties, for a slice that has Redis. */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(IdempotencyProperties.class)
@Import(IdempotentRequests.class)
public class IdempotencySlice {
}
