package io.switchboard.gateway.web;

import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.gateway.ratelimit.StubbedWindow;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.web.ApiEdge;
import java.util.List;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultMatcher;

/**
 * What every slice of the gateway's controllers shares: the API edge (correlation id, API keys,
 * problem details), the gateway's own filters and the run-creation limit over a
 * {@link StubbedWindow}, with the development tenants of the {@code local} profile. Use with
 * {@code @WebMvcTest(SomeController.class) @Import(GatewaySlice.class) @ActiveProfiles("local")}.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties({PlatformProperties.class, ApiProperties.class})
@Import({ApiEdge.class, StubbedWindow.class})
public class GatewaySlice {

    /** Keys of the {@code local} profile's tenants. */
    public static final String ACME = "Bearer acme-dev-key";
    public static final String GLOBEX = "Bearer globex-dev-key";
    public static final String TINY = "Bearer tiny-dev-key";

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    /** An RFC 9457 problem: its status, content type and the fields a client reads. */
    public static ResultMatcher problem(HttpStatus status, String title, String detail) {
        List<ResultMatcher> matchers = List.of(
                status().is(status.value()),
                content().contentType(MediaType.APPLICATION_PROBLEM_JSON),
                jsonPath("$.type").value("https://switchboard.dev/problems/" + status.value()),
                jsonPath("$.title").value(title),
                jsonPath("$.status").value(status.value()),
                jsonPath("$.detail").value(detail));
        return result -> {
            for (ResultMatcher matcher : matchers) {
                matcher.match(result);
            }
        };
    }
}
