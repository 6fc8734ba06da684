package io.switchboard.gateway.stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.web.ApiProperties;
import io.switchboard.platform.web.Problems;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * The SSE streams this gateway holds open, bounded per tenant and in all: past either limit a new
 * stream is refused with 429 and {@code Retry-After}, so one tenant's streams cannot take the
 * connections and the stream reader's time from the others.
 */
@Component
class OpenStreams {

    private static final long RETRY_AFTER_SECONDS = 5;

    private final ApiProperties properties;
    private final Map<String, AtomicInteger> byTenant = new ConcurrentHashMap<>();
    private final AtomicInteger all = new AtomicInteger();

    OpenStreams(ApiProperties properties, MeterRegistry meters) {
        this.properties = properties;
        Gauge.builder("switchboard.sse.streams.open", all, AtomicInteger::get)
                .description("SSE streams this gateway holds open").register(meters);
    }

    /** Opens a stream for the tenant, or refuses it with 429; close the permit exactly when the stream ends. */
    Permit open(String tenantId) {
        AtomicInteger tenant = byTenant.computeIfAbsent(tenantId, id -> new AtomicInteger());
        if (tenant.incrementAndGet() > properties.streamsPerTenant()) {
            tenant.decrementAndGet();
            throw refused("Tenant '%s' has %d streams open, as many as it may; close one or retry in %d s."
                    .formatted(tenantId, properties.streamsPerTenant(), RETRY_AFTER_SECONDS));
        }
        if (all.incrementAndGet() > properties.streams()) {
            all.decrementAndGet();
            tenant.decrementAndGet();
            throw refused("This gateway has %d streams open, as many as it holds; retry in %d s."
                    .formatted(properties.streams(), RETRY_AFTER_SECONDS));
        }
        return new Permit(tenant);
    }

    /** One open stream; closing it again does nothing. */
    final class Permit implements AutoCloseable {

        private final AtomicInteger tenant;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit(AtomicInteger tenant) {
            this.tenant = tenant;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                tenant.decrementAndGet();
                all.decrementAndGet();
            }
        }
    }

    private static ErrorResponseException refused(String detail) {
        ProblemDetail problem = Problems.problem(HttpStatus.TOO_MANY_REQUESTS, "Too many open streams", detail);
        ErrorResponseException refusal = new ErrorResponseException(HttpStatus.TOO_MANY_REQUESTS, problem, null);
        refusal.getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
        return refusal;
    }
}
