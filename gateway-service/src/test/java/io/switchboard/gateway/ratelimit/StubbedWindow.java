package io.switchboard.gateway.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The sliding window of {@link RunCreationRateLimit} as a slice sees it: it gives the decision a
 * test sets ({@link #admit()} by default) instead of asking Redis, so the real interceptor writes
 * the real headers and refusals. Imported, it also brings the limit's properties, which a slice
 * does not scan for.
 */
@EnableConfigurationProperties(RateLimitProperties.class)
public class StubbedWindow extends SlidingWindowLimiter {

    private volatile Decision next;

    public StubbedWindow() {
        super(null);
        admit();
    }

    /** Every request is admitted, with a quota to spare. */
    public void admit() {
        admit(41, Duration.ofSeconds(60));
    }

    public void admit(long remaining, Duration untilSlotFrees) {
        next = new Decision(true, remaining, untilSlotFrees);
    }

    /** Every request is refused until a slot frees. */
    public void refuse(Duration untilSlotFrees) {
        next = new Decision(false, 0, untilSlotFrees);
    }

    @Override
    Decision acquire(String tenantId, Policy policy) {
        return next;
    }

    /** Reads are always admitted here; their limit is tested against Redis. */
    @Override
    Decision countRead(String tenantId, int limit, Duration window) {
        return new Decision(true, limit - 1, window);
    }
}
