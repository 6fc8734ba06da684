package io.switchboard.gateway.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Limits a tenant's reads ({@code GET} under {@code /v1}: runs, their streams, history, search) as
 * run creation is limited: over its limit a read gets 429 with {@code Retry-After}, and every read
 * carries the quota policy {@code "reads"}. Reads are counted in fixed windows, one counter per
 * tenant in Redis that expires with its window: one round trip, nothing kept per request.
 */
@Component
class ReadRateLimit implements HandlerInterceptor {

    static final String NAME = "reads";

    private final Map<String, Integer> limits = new HashMap<>();
    private final int platformLimit;
    private final Duration window;
    private final SlidingWindowLimiter limiter;
    private final MeterRegistry meters;

    ReadRateLimit(PlatformProperties platform, RateLimitProperties properties, SlidingWindowLimiter limiter, MeterRegistry meters) {
        Policy.checked("switchboard.rate-limit.read-window", properties.defaultReads(), properties.readWindow());
        this.platformLimit = properties.defaultReads();
        this.window = properties.readWindow();
        platform.tenants().forEach((tenantId, tenant) -> {
            if (tenant.rateLimit() != null && tenant.rateLimit().reads() != null) {
                limits.put(tenantId, tenant.rateLimit().reads());
            }
        });
        this.limiter = limiter;
        this.meters = meters;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String tenantId = (String) request.getAttribute(TenantAuthenticationFilter.TENANT);
        if (!HttpMethod.GET.matches(request.getMethod()) || tenantId == null) {
            return true;
        }
        int limit = limits.getOrDefault(tenantId, platformLimit);
        SlidingWindowLimiter.Decision decision = limiter.countRead(tenantId, limit, window);
        response.setHeader(RunCreationRateLimit.POLICY_HEADER, "\"" + NAME + "\";q=" + limit + ";w=" + window.toSeconds());
        response.setHeader(RunCreationRateLimit.HEADER, decision.header(NAME));
        if (decision.admitted()) {
            return true;
        }
        meters.counter("switchboard.ratelimit.rejected", "tenant", tenantId, "policy", NAME).increment();
        throw RunCreationRateLimit.tooManyRequests(NAME, decision, "Tenant '%s' may make %d reads in %d s (policy \"%s\"); retry in %d s."
                .formatted(tenantId, limit, window.toSeconds(), NAME, decision.secondsUntilSlotFrees()));
    }
}
