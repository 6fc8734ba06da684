package io.switchboard.operations.deadletters;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.switchboard.platform.PlatformAutoConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The dead-letter endpoints as a client meets them: keys, problem details with their headers, and
 * the validation of ids and queries. The web layer only, over the real archive in Redis (the
 * brokers are connected but not used: redrive is proved in {@link DeadLetterIntegrationTest}).
 */
@WebMvcTest(controllers = {DeadLetterController.class, TenantDeadLetterController.class})
@ImportAutoConfiguration({DataRedisAutoConfiguration.class, KafkaAutoConfiguration.class, RabbitAutoConfiguration.class,
        PlatformAutoConfiguration.class})
@Import({DeadLetters.class, Redrive.class})
@ActiveProfiles("local")
class DeadLetterControllersTest {

    private static final String ADMIN = "Bearer admin-dev-key";
    private static final String ACME = "Bearer acme-dev-key";
    private static final String GLOBEX = "Bearer globex-dev-key";
    private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    @Autowired
    MockMvc mvc;

    @Autowired
    DeadLetters deadLetters;

    private DeadLetter letter;

    @BeforeEach
    void archiveADeadLetterOfAcme() {
        String runId = "slice-" + UUID.randomUUID();
        letter = new DeadLetter("rabbitmq:" + runId, DeadLetter.RABBITMQ, "switchboard.tasks/tool", "tool failed",
                "io.switchboard.worker.tools.ToolFailure", 3, "acme", runId, Instant.now().truncatedTo(ChronoUnit.SECONDS),
                "{\"expression\": \"1/0\"}".getBytes(StandardCharsets.UTF_8), null,
                new DeadLetter.RabbitOriginal("switchboard.tasks", "tool", runId + ".s1.t0", 1, "application/json",
                        Map.of()));
        deadLetters.archive(letter);
    }

    @Test
    void anOperatorSeesADeadLetterWithItsReasonOriginAndPayload() throws Exception {
        mvc.perform(get("/v1/admin/dead-letters/" + letter.id()).header(HttpHeaders.AUTHORIZATION, ADMIN))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.id").value(letter.id()))
                .andExpect(jsonPath("$.source").value("rabbitmq"))
                .andExpect(jsonPath("$.origin").value("switchboard.tasks/tool"))
                .andExpect(jsonPath("$.reason").value("tool failed"))
                .andExpect(jsonPath("$.exception").value("io.switchboard.worker.tools.ToolFailure"))
                .andExpect(jsonPath("$.attempts").value(3))
                .andExpect(jsonPath("$.tenant").value("acme"))
                .andExpect(jsonPath("$.runId").value(letter.runId()))
                .andExpect(jsonPath("$.deadLetteredAt").value(letter.deadLetteredAt().toString()))
                .andExpect(jsonPath("$.payload").value("{\"expression\": \"1/0\"}"))
                .andExpect(jsonPath("$.payloadBase64").value(false));
        mvc.perform(get("/v1/admin/dead-letters?source=rabbitmq&limit=1000").header(HttpHeaders.AUTHORIZATION, ADMIN))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").isNumber())
                .andExpect(jsonPath("$.items[*].id", hasItem(letter.id())));
    }

    @Test
    void withoutTheAdminKeyTheAdminRoutesAre401WithAChallenge() throws Exception {
        for (MockHttpServletRequestBuilder request : List.of(
                get("/v1/admin/dead-letters"),
                get("/v1/admin/dead-letters").header(HttpHeaders.AUTHORIZATION, ACME),
                get("/v1/admin/dead-letters/" + letter.id()).header(HttpHeaders.AUTHORIZATION, "Bearer not-a-key"),
                post("/v1/admin/dead-letters/" + letter.id() + "/redrive").header(HttpHeaders.AUTHORIZATION, ACME))) {
            mvc.perform(request)
                    .andExpect(status().isUnauthorized())
                    .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard-admin\""))
                    .andExpect(content().contentType(PROBLEM))
                    .andExpect(jsonPath("$.status").value(401))
                    .andExpect(jsonPath("$.detail", containsString("valid admin key")));
        }
        mvc.perform(get("/v1/admin/dead-letters/" + letter.id()).header(HttpHeaders.AUTHORIZATION, ADMIN))
                .andExpect(status().isOk());
    }

    @Test
    void aTenantRouteTakesATenantKeyAndNoAdminKey() throws Exception {
        for (String key : List.of(ADMIN, "Bearer not-a-key")) {
            mvc.perform(get("/v1/dead-letters").header(HttpHeaders.AUTHORIZATION, key))
                    .andExpect(status().isUnauthorized())
                    .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\""))
                    .andExpect(content().contentType(PROBLEM))
                    .andExpect(jsonPath("$.detail", containsString("valid API key")));
        }
    }

    @Test
    void aTenantSeesItsOwnDeadLetterAndAnotherTenantGetsTheAnswerForOneThatDoesNotExist() throws Exception {
        mvc.perform(get("/v1/dead-letters/" + letter.id()).header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runId").value(letter.runId()));
        mvc.perform(get("/v1/dead-letters?limit=1000").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[*].id", hasItem(letter.id())));
        mvc.perform(get("/v1/dead-letters?limit=1000").header(HttpHeaders.AUTHORIZATION, GLOBEX))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[*].id", not(hasItem(letter.id()))));
        mvc.perform(get("/v1/dead-letters/" + letter.id()).header(HttpHeaders.AUTHORIZATION, GLOBEX))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(PROBLEM))
                .andExpect(jsonPath("$.title").value("Dead letter not found"))
                .andExpect(jsonPath("$.detail").value("There is no dead letter '" + letter.id() + "'."));
    }

    @Test
    void anUnknownDeadLetterIsA404ProblemAndIsNotRedriven() throws Exception {
        for (MockHttpServletRequestBuilder request : List.of(get("/v1/admin/dead-letters/rabbitmq:nope"),
                post("/v1/admin/dead-letters/rabbitmq:nope/redrive"))) {
            mvc.perform(request.header(HttpHeaders.AUTHORIZATION, ADMIN))
                    .andExpect(status().isNotFound())
                    .andExpect(content().contentType(PROBLEM))
                    .andExpect(jsonPath("$.type").value("https://switchboard.dev/problems/404"))
                    .andExpect(jsonPath("$.title").value("Dead letter not found"))
                    .andExpect(jsonPath("$.status").value(404))
                    .andExpect(jsonPath("$.detail").value("There is no dead letter 'rabbitmq:nope'."));
        }
    }

    @Test
    void badQueriesAre400ProblemsThatNameTheParameter() throws Exception {
        expectBadRequest("/v1/admin/dead-letters?source=sqs", "Invalid source", "source must be 'kafka' or 'rabbitmq'.");
        expectBadRequest("/v1/admin/dead-letters?limit=0", "Invalid limit", "limit must be between 1 and 1000.");
        expectBadRequest("/v1/admin/dead-letters?limit=1001", "Invalid limit", "limit must be between 1 and 1000.");
        mvc.perform(get("/v1/admin/dead-letters?limit=many").header(HttpHeaders.AUTHORIZATION, ADMIN))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(PROBLEM))
                .andExpect(jsonPath("$.detail", containsString("limit")));
        mvc.perform(get("/v1/dead-letters?limit=0").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(PROBLEM))
                .andExpect(jsonPath("$.detail").value("limit must be between 1 and 1000."));
    }

    @Test
    void theCorrelationIdIsEchoedOrMadeEvenOnARefusal() throws Exception {
        mvc.perform(get("/v1/admin/dead-letters/" + letter.id()).header(HttpHeaders.AUTHORIZATION, ADMIN)
                        .header("X-Correlation-Id", "corr-slice-1"))
                .andExpect(header().string("X-Correlation-Id", "corr-slice-1"));
        mvc.perform(get("/v1/admin/dead-letters/rabbitmq:nope"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("X-Correlation-Id", matchesPattern("[0-9a-f-]{36}")));
    }

    private void expectBadRequest(String path, String title, String detail) throws Exception {
        mvc.perform(get(path).header(HttpHeaders.AUTHORIZATION, ADMIN))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(PROBLEM))
                .andExpect(jsonPath("$.type").value("https://switchboard.dev/problems/400"))
                .andExpect(jsonPath("$.title").value(title))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.detail").value(detail));
    }
}
