package io.switchboard.gateway.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Limits how many runs a tenant creates ({@code POST /v1/runs}, {@code POST /v1/chat/completions}) in
 * a sliding window: over its limit a request gets 429 with {@code Retry-After}, before its body is
 * read. Every request counts against the limit, whatever its answer. The answers carry the fields of
 * draft-ietf-httpapi-ratelimit-headers: {@code RateLimit-Policy: "runs";q=<limit>;w=<window s>}
 * and {@code RateLimit: "runs";r=<remaining>;t=<s until a slot frees>}.
 * <p>
 * Without Redis the limit cannot be checked, and the run could not be accepted either: the
 * outage reaches {@code ApiExceptionHandler}, which answers 503 with {@code Retry-After}
 * (with {@code RateLimit-Policy}, without {@code RateLimit}).
 */
@Component
class RunCreationRateLimit implements HandlerInterceptor {

    static final String POLICY_HEADER = "RateLimit-Policy";
    static final String HEADER = "RateLimit";
    static final URI QUOTA_EXCEEDED = URI.create("https://iana.org/assignments/http-problem-types#quota-exceeded");

    private final Map<String, Policy> policies = new HashMap<>();
    private final Policy platformPolicy;
    private final SlidingWindowLimiter limiter;
    private final MeterRegistry meters;

    RunCreationRateLimit(PlatformProperties platform, RateLimitProperties properties, SlidingWindowLimiter limiter,
                         MeterRegistry meters) {
        this.platformPolicy = Policy.checked("switchboard.rate-limit", properties.defaultRuns(), properties.defaultWindow());
        platform.tenants().forEach((tenantId, tenant) -> policies.put(tenantId, Policy.of(tenantId, tenant.rateLimit(), platformPolicy)));
        this.limiter = limiter;
        this.meters = meters;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String tenantId = (String) request.getAttribute(TenantAuthenticationFilter.TENANT);
        if (!HttpMethod.POST.matches(request.getMethod()) || tenantId == null) {
            return true;
        }
        Policy policy = policies.getOrDefault(tenantId, platformPolicy);
        response.setHeader(POLICY_HEADER, policy.header());
        SlidingWindowLimiter.Decision decision = limiter.acquire(tenantId, policy);
        response.setHeader(HEADER, decision.header());
        if (decision.admitted()) {
            return true;
        }
        meters.counter("switchboard.ratelimit.rejected", "tenant", tenantId, "policy", Policy.NAME).increment();
        throw tooManyRequests(tenantId, policy, decision);
    }

    private static ErrorResponseException tooManyRequests(String tenantId, Policy policy, SlidingWindowLimiter.Decision decision) {
        return tooManyRequests(Policy.NAME, decision, "Tenant '%s' may create %d runs in any %d s (policy \"%s\"); retry in %d s."
                .formatted(tenantId, policy.runs(), policy.window().toSeconds(), Policy.NAME, decision.secondsUntilSlotFrees()));
    }

    /** 429 as a quota-exceeded problem naming the violated policy, with {@code Retry-After}. */
    static ErrorResponseException tooManyRequests(String policy, SlidingWindowLimiter.Decision decision, String detail) {
        ProblemDetail problem = Problems.problem(HttpStatus.TOO_MANY_REQUESTS, "Rate limit exceeded", detail);
        problem.setType(QUOTA_EXCEEDED);
        problem.setProperty("violated-policies", List.of(policy));
        ErrorResponseException refusal = new ErrorResponseException(HttpStatus.TOO_MANY_REQUESTS, problem, null);
        refusal.getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(decision.secondsUntilSlotFrees()));
        return refusal;
    }
}
