package io.switchboard.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The limits through the API, on the real Redis: the local tenant tiny may create 5 runs per 10 s
 * and read 20 times per 10 s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("local")
class RateLimitIntegrationTest {

    private static final String TINY = "tiny-dev-key";
    private static final String GLOBEX = "globex-dev-key";
    private static final String RUN = "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}";
    private static final Pattern RATE_LIMIT = Pattern.compile("\"runs\";r=(\\d+);t=(\\d+)");

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startWithAnEmptyWindow() {
        redis.delete(List.of(SlidingWindowLimiter.key("tiny"), "sb:tiny:ratelimit:reads"));
    }

    @Test
    void aTenantOverItsLimitGets429WithRetryAfterAndTheRateLimitFieldsWhileOthersGoOn() throws Exception {
        double rejectedBefore = rejected("tiny");

        for (int remaining = 4; remaining >= 0; remaining--) {
            HttpResponse<String> admitted = post(TINY);

            assertThat(admitted.statusCode()).isEqualTo(202);
            assertThat(admitted.headers().firstValue("RateLimit-Policy")).hasValue("\"runs\";q=5;w=10");
            Matcher limit = rateLimit(admitted);
            assertThat(Long.parseLong(limit.group(1))).isEqualTo(remaining);
            assertThat(Long.parseLong(limit.group(2))).isBetween(1L, 10L);
        }
        HttpResponse<String> refused = post(TINY);
        HttpResponse<String> otherTenant = post(GLOBEX);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 10L);
        assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("\"runs\";q=5;w=10");
        assertThat(refused.headers().firstValue("RateLimit")).hasValue("\"runs\";r=0;t=" + retryAfter);
        JsonNode problem = EventCodec.mapper().readTree(refused.body());
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("type").asString()).isEqualTo("https://iana.org/assignments/http-problem-types#quota-exceeded");
        assertThat(problem.get("detail").asString()).contains("'tiny' may create 5 runs in any 10 s");
        assertThat(problem.get("violated-policies").get(0).asString()).isEqualTo("runs");
        assertThat(rejected("tiny")).isEqualTo(rejectedBefore + 1);
        assertThat(redis.opsForZSet().size(SlidingWindowLimiter.key("tiny"))).as("refusals are not counted").isEqualTo(5);

        assertThat(otherTenant.statusCode()).isEqualTo(202);
        assertThat(otherTenant.headers().firstValue("RateLimit-Policy")).hasValue("\"runs\";q=100000;w=60");
        assertThat(otherTenant.headers().firstValue("RateLimit")).hasValueSatisfying(v -> assertThat(v).startsWith("\"runs\";r="));

        HttpResponse<String> again = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> post(TINY), response -> response.statusCode() == 202);
        assertThat(Long.parseLong(rateLimit(again).group(1))).isBetween(0L, 4L);
    }

    @Test
    void readsHaveALimitOfTheirOwnApartFromRunCreation() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(post(TINY).statusCode()).isEqualTo(202);
        }
        assertThat(post(TINY).statusCode()).isEqualTo(429);

        HttpResponse<String> agents = get(TINY, "/v1/agents");

        assertThat(agents.statusCode()).isEqualTo(200);
        assertThat(agents.headers().firstValue("RateLimit-Policy")).hasValue("\"reads\";q=20;w=10");
        assertThat(agents.headers().firstValue("RateLimit")).hasValueSatisfying(field -> assertThat(field).startsWith("\"reads\";r=19;"));

        for (int i = 1; i < 20; i++) {
            assertThat(get(TINY, "/v1/agents").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refused = get(TINY, "/v1/runs/any");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.body()).contains("\"violated-policies\":[\"reads\"]");
        assertThat(get(GLOBEX, "/v1/agents").statusCode()).as("another tenant reads on").isEqualTo(200);
    }

    private HttpResponse<String> get(String key, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double rejected(String tenant) {
        var counter = meters.find("switchboard.ratelimit.rejected").tag("tenant", tenant).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Matcher rateLimit(HttpResponse<String> response) {
        Matcher matcher = RATE_LIMIT.matcher(response.headers().firstValue("RateLimit").orElseThrow());
        assertThat(matcher.matches()).as("RateLimit field " + matcher).isTrue();
        return matcher;
    }

    private HttpResponse<String> post(String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/v1/runs"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(RUN, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
