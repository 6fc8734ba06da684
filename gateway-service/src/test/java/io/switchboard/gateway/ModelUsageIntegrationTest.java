package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.RedisKeys;
import io.switchboard.gateway.web.GatewayCalls;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The tokens models used, as the worker counts them in Redis, read back through {@code GET /v1/usage}
 * and {@code GET /v1/runs/{id}/usage} and priced at the provider's configured prices: the
 * {@code default} provider serves {@code gpt-test} at 0.15 per million prompt tokens and 0.60 per
 * million completion tokens; no provider serves {@code llama3:8b}, so it costs nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.tenants.umbrella.api-key-sha256[0]=1be9bc6b89c9689cd73be248727aa18334b1c971afacb8a5de452b52d4f011c4",
        "switchboard.models.default.base-url=http://127.0.0.1:9/v1",
        "switchboard.models.default.model=gpt-test",
        "switchboard.models.default.prompt-price=0.15",
        "switchboard.models.default.completion-price=0.60"})
@ActiveProfiles("local")
class ModelUsageIntegrationTest {

    /** A tenant of this test alone, so nothing else on the shared Redis adds to its usage. */
    private static final String UMBRELLA = "umbrella-test-key";
    private static final String GLOBEX = "globex-dev-key";

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    @BeforeEach
    void aTenantThatHasUsedNothing() {
        RedisForTests.deleteTenant(redis, "umbrella");
    }

    @Test
    void todaysAndARunsModelTokensArePricedAtTheirProvidersPricesBesideTheBudgetFields() throws Exception {
        HttpResponse<String> created = post(UMBRELLA, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}");
        assertThat(created.statusCode()).isEqualTo(202);
        String runId = json(created).get("runId").asString();
        String day = RedisKeys.modelUsagePerDay("umbrella", LocalDate.now(ZoneOffset.UTC));
        String run = RedisKeys.modelUsagePerRun("umbrella", runId);
        // Two calls of the run's model, counted as the worker counts them, into the run and the day.
        for (String key : new String[] {day, run}) {
            count(key, "gpt-test", 1_000, 400);
            count(key, "gpt-test", 234, 167);
        }
        // Earlier today: another run of gpt-test, and a model no provider here serves any more.
        count(day, "gpt-test", 1_500_000, 250_000);
        count(day, "llama3:8b", 1_000, 10);

        JsonNode usage = json(get(UMBRELLA, "/v1/usage"));
        JsonNode runUsage = json(get(UMBRELLA, "/v1/runs/" + runId + "/usage"));

        assertThat(usage.get("tenant").asString()).isEqualTo("umbrella");
        assertThat(usage.get("day").asString()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(usage.get("tokens").get("limit").asLong()).isEqualTo(1_000_000);
        assertThat(usage.get("tokensPerRun").asLong()).isEqualTo(20_000);
        assertThat(usage.get("models").propertyNames()).containsExactly("gpt-test", "llama3:8b");
        JsonNode gpt = usage.get("models").get("gpt-test");
        assertThat(gpt.get("promptTokens").asLong()).isEqualTo(1_501_234);
        assertThat(gpt.get("completionTokens").asLong()).isEqualTo(250_567);
        // 1,501,234 × 0.15 / 1e6 + 250,567 × 0.60 / 1e6 = 0.2251851 + 0.1503402 = 0.3755253
        assertThat(gpt.get("cost").decimalValue()).isEqualByComparingTo("0.375525");
        JsonNode llama = usage.get("models").get("llama3:8b");
        assertThat(llama.get("promptTokens").asLong()).isEqualTo(1_000);
        assertThat(llama.get("completionTokens").asLong()).isEqualTo(10);
        assertThat(llama.get("cost").decimalValue()).isEqualByComparingTo("0");
        assertThat(usage.get("cost").decimalValue()).isEqualByComparingTo("0.375525");

        assertThat(runUsage.get("runId").asString()).isEqualTo(runId);
        assertThat(runUsage.get("tokens").get("limit").asLong()).isEqualTo(20_000);
        assertThat(runUsage.get("models").propertyNames()).containsExactly("gpt-test");
        assertThat(runUsage.get("models").get("gpt-test").get("promptTokens").asLong()).isEqualTo(1_234);
        assertThat(runUsage.get("models").get("gpt-test").get("completionTokens").asLong()).isEqualTo(567);
        // 1,234 × 0.15 / 1e6 + 567 × 0.60 / 1e6 = 0.0001851 + 0.0003402 = 0.0005253
        assertThat(runUsage.get("models").get("gpt-test").get("cost").decimalValue()).isEqualByComparingTo("0.000525");
        assertThat(runUsage.get("cost").decimalValue()).isEqualByComparingTo("0.000525");
        assertThat(get(GLOBEX, "/v1/runs/" + runId + "/usage").statusCode()).isEqualTo(404);
    }

    @Test
    void aTenantNoModelHasWorkedForTodayHasNoModelsAndCostsNothing() throws Exception {
        JsonNode usage = json(get(UMBRELLA, "/v1/usage"));

        assertThat(usage.get("models").isObject()).isTrue();
        assertThat(usage.get("models").isEmpty()).isTrue();
        assertThat(usage.get("cost").decimalValue()).isEqualByComparingTo("0");
        assertThat(usage.get("tokens").get("used").asLong()).isZero();
    }

    /** One model call's tokens, as the worker adds them to a usage hash. */
    private void count(String key, String model, long prompt, long completion) {
        redis.opsForHash().increment(key, model + ":prompt", prompt);
        redis.opsForHash().increment(key, model + ":completion", completion);
        redis.expire(key, Duration.ofDays(2));
    }

    private HttpResponse<String> post(String key, String body) {
        return new GatewayCalls(port).send(key, "POST", "/v1/runs", body);
    }

    private HttpResponse<String> get(String key, String path) {
        return new GatewayCalls(port).get(key, path);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return GatewayCalls.json(response);
    }
}
