package io.switchboard.gateway.runs;

import static io.switchboard.gateway.web.GatewaySlice.ACME;
import static io.switchboard.gateway.web.GatewaySlice.GLOBEX;
import static io.switchboard.gateway.web.GatewaySlice.TINY;
import static io.switchboard.gateway.web.GatewaySlice.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import io.switchboard.events.EventIds;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.RunEvent;
import io.switchboard.events.stream.RunEvents;
import io.switchboard.gateway.idempotency.IdempotencySlice;
import io.switchboard.gateway.idempotency.IdempotentRequests;
import io.switchboard.gateway.ratelimit.StubbedWindow;
import io.switchboard.gateway.tenants.TenantPolicies;
import io.switchboard.gateway.web.GatewaySlice;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.InputField;
import io.switchboard.platform.agents.StepDefinition;
import io.switchboard.store.RunStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * Run creation, status and cancellation as a client meets them at the edge: keys, the body limit,
 * the correlation id, the rate-limit fields, validation problems, idempotency keys and the 404 that
 * does not tell another tenant's run from a missing one. Accepting a run (Kafka, budgets) is stood
 * in for; cancelling is the real {@link RunCancellation} over a stand-in run log and end;
 * idempotency keys are the real {@link IdempotentRequests} in Redis, as the gateway keeps them.
 * Of the model providers, {@code default} is left unconfigured and {@code local} is configured.
 */
@WebMvcTest(controllers = RunController.class, properties = {
        "switchboard.models.default.base-url=", "switchboard.models.default.model=",
        "switchboard.models.local.base-url=http://127.0.0.1:11434/v1", "switchboard.models.local.model=llama3:8b"})
@ImportAutoConfiguration(DataRedisAutoConfiguration.class)
@Import({GatewaySlice.class, IdempotencySlice.class, RunCancellation.class, RunRequests.class, RunHistory.class})
@ActiveProfiles("local")
class RunControllerTest {

    private static final String CALCULATE = """
            {"agent": "calculator", "input": {"expressions": ["2+2"]}, "conversationId": "conv-slice"}""";

    private static final AgentDefinition CALCULATOR = new AgentDefinition("calculator", "Evaluates expressions.",
            Duration.ofSeconds(60), 20, 20, 200,
            Map.of("expressions", new InputField("array", "string", true, 1, 20, 500, "Expressions.")), List.of(),
            List.of(new StepDefinition("evaluate", "math.eval", "input.expressions", Map.of("expression", "${item}"))),
            null, null, null, null, 0, 0, 0, 0, null);

    /** Model agents that declare no input, so take {@code {"message": "..."}}. */
    private static final AgentDefinition ASSISTANT = new AgentDefinition("assistant", "Answers with tools.", null, 0, 0,
            2000, null, null, null, "default", "You are helpful.", null, List.of("math.eval"), 0, 0, 0, 0, null);
    private static final AgentDefinition LOCAL_ASSISTANT = new AgentDefinition("local-assistant", "Answers with tools.",
            null, 0, 0, 2000, null, null, null, "local", "You are helpful.", null, List.of("math.eval"), 0, 0, 0, 0, null);

    @Autowired
    MockMvc mvc;

    @Autowired
    StubbedWindow window;

    @MockitoBean
    AgentDefinitions agents;

    @MockitoBean
    RunAcceptance acceptance;

    @MockitoBean
    TenantPolicies policies;

    @MockitoBean
    RunEventLog runEvents;

    /** Nothing stored: every run is still in Redis. */
    @MockitoBean
    RunStore store;

    @MockitoBean
    RunEnding ending;

    @BeforeEach
    void aCalculatorThatAcceptsRuns() {
        window.admit();
        given(agents.resolve(anyString(), eq("calculator"), anyInt()))
                .willReturn(Optional.of(new AgentDefinitions.Resolved(CALCULATOR, 0)));
        given(agents.resolve(anyString(), eq("assistant"), anyInt()))
                .willReturn(Optional.of(new AgentDefinitions.Resolved(ASSISTANT, 0)));
        given(agents.resolve(anyString(), eq("local-assistant"), anyInt()))
                .willReturn(Optional.of(new AgentDefinitions.Resolved(LOCAL_ASSISTANT, 0)));
        given(acceptance.accept(anyString(), anyString(), any(), any(), anyString(), any(), any())).willAnswer(call ->
                new RunAcceptance.AcceptedRun("run-" + UUID.randomUUID(), call.getArgument(4), "accepted",
                        call.getArgument(1)));
    }

    @Test
    void anAcceptedRunIs202WithItsLocationAndWhatTheClientFollowsItBy() throws Exception {
        var accepted = mvc.perform(createRun(ACME, CALCULATE).header("X-Correlation-Id", "corr-slice-1"))
                .andExpect(status().isAccepted())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(header().string("X-Correlation-Id", "corr-slice-1"))
                .andExpect(jsonPath("$.runId", startsWith("run-")))
                .andExpect(jsonPath("$.conversationId").value("conv-slice"))
                .andExpect(jsonPath("$.status").value("accepted"))
                .andExpect(jsonPath("$.correlationId").value("corr-slice-1"))
                .andReturn();

        String runId = JsonPath.read(accepted.getResponse().getContentAsString(), "$.runId");
        assertThat(accepted.getResponse().getHeader(HttpHeaders.LOCATION))
                .isEqualTo("/v1/runs/" + runId);
        verify(acceptance).accept("acme", "corr-slice-1", new AgentDefinitions.Resolved(CALCULATOR, 0),
                Map.of("expressions", List.of("2+2")), "conv-slice", Priority.INTERACTIVE, List.of());
    }

    @Test
    void withoutAConversationIdOrACorrelationIdTheGatewayMakesThem() throws Exception {
        mvc.perform(createRun(ACME, """
                        {"agent": "calculator", "input": {"expressions": ["1+1"]}, "priority": "background"}"""))
                .andExpect(status().isAccepted())
                .andExpect(header().string("X-Correlation-Id", matchesPattern("[0-9a-f-]{36}")))
                .andExpect(jsonPath("$.conversationId", matchesPattern("conv-[0-9a-f-]{36}")))
                .andExpect(jsonPath("$.correlationId", matchesPattern("[0-9a-f-]{36}")));
        verify(acceptance).accept(eq("acme"), anyString(), eq(new AgentDefinitions.Resolved(CALCULATOR, 0)), any(), anyString(),
                eq(Priority.BACKGROUND), eq(List.of()));
    }

    @Test
    void aMissingOrUnknownKeyIs401WithAChallengeAndNothingIsAccepted() throws Exception {
        for (MockHttpServletRequestBuilder request : List.of(
                createRun(null, CALCULATE),
                createRun("Bearer not-a-key", CALCULATE),
                createRun("Basic YWNtZTphY21l", CALCULATE),
                get("/v1/runs/run-1"),
                post("/v1/runs/run-1/cancel").header(HttpHeaders.AUTHORIZATION, "Bearer not-a-key"))) {
            mvc.perform(request.header("X-Correlation-Id", "corr-refused"))
                    .andExpect(problem(HttpStatus.UNAUTHORIZED, "Unauthorized",
                            "Send a valid API key as 'Authorization: Bearer <key>'."))
                    .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\""))
                    .andExpect(header().string("X-Correlation-Id", "corr-refused"));
        }
        verifyNoInteractions(acceptance, runEvents);
    }

    @Test
    void aModelAgentWhoseProviderIsNotConfiguredIs503NamingWhatIsMissingAndNothingIsAcceptedWhileOthersGoOn()
            throws Exception {
        String ask = "{\"agent\": \"assistant\", \"input\": {\"message\": \"What is 2+2?\"}}";
        for (String idempotencyKey : new String[] {null, "model-" + UUID.randomUUID()}) {
            MockHttpServletRequestBuilder request = createRun(ACME, ask);
            mvc.perform(idempotencyKey == null ? request : request.header("Idempotency-Key", idempotencyKey))
                    .andExpect(problem(HttpStatus.SERVICE_UNAVAILABLE, "Model not configured",
                            "Agent 'assistant' cannot run here: model provider 'default' is not configured:"
                                    + " set SWITCHBOARD_MODEL_BASE_URL and SWITCHBOARD_MODEL."))
                    .andExpect(jsonPath("$.missing", contains("SWITCHBOARD_MODEL_BASE_URL", "SWITCHBOARD_MODEL")))
                    .andExpect(header().doesNotExist(HttpHeaders.RETRY_AFTER));
        }
        verifyNoInteractions(acceptance);

        mvc.perform(createRun(ACME, CALCULATE)).andExpect(status().isAccepted());
        mvc.perform(createRun(ACME, "{\"agent\": \"local-assistant\", \"input\": {\"message\": \"What is 2+2?\"}}"))
                .andExpect(status().isAccepted());
        verify(acceptance).accept(eq("acme"), anyString(), eq(new AgentDefinitions.Resolved(LOCAL_ASSISTANT, 0)),
                eq(Map.of("message", "What is 2+2?")), anyString(), eq(Priority.INTERACTIVE), eq(List.of()));
    }

    @Test
    void aModelAgentTakesOneMessageOfAtMost20000Characters() throws Exception {
        mvc.perform(createRun(ACME, "{\"agent\": \"local-assistant\", \"input\": {}}"))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request", "input.message is required"));
        mvc.perform(createRun(ACME, "{\"agent\": \"local-assistant\", \"input\": {\"message\": \"%s\"}}"
                        .formatted("m".repeat(20_001))))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request",
                        "input.message must be at most 20000 characters"));
        mvc.perform(createRun(ACME, "{\"agent\": \"local-assistant\", \"input\": {\"message\": [\"hi\"], \"urls\": []}}"))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request",
                        "input.message must be a non-empty string; input.urls is not an input of agent local-assistant"));
        verifyNoInteractions(acceptance);

        mvc.perform(createRun(ACME, "{\"agent\": \"local-assistant\", \"input\": {\"message\": \"%s\"}}"
                        .formatted("m".repeat(20_000))))
                .andExpect(status().isAccepted());
    }

    @Test
    void malformedJsonIsA400ProblemThatSaysWhere() throws Exception {
        mvc.perform(createRun(ACME, "{\"agent\": \"calculator\", \"input\": "))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("https://switchboard.dev/problems/400"))
                .andExpect(jsonPath("$.title").value("Malformed request body"))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.detail", startsWith("The request body is not valid JSON for this endpoint: ")));
        verifyNoInteractions(acceptance);
    }

    @Test
    void anUnknownAgentIsA404ProblemThatPointsToTheList() throws Exception {
        mvc.perform(createRun(ACME, "{\"agent\": \"astrologer\", \"input\": {}}"))
                .andExpect(problem(HttpStatus.NOT_FOUND, "Unknown agent",
                        "There is no agent 'astrologer'; GET /v1/agents lists them."));
        verifyNoInteractions(acceptance);
    }

    @Test
    void inputThatDoesNotFitTheAgentIsA422ProblemNamingEachField() throws Exception {
        mvc.perform(createRun(ACME, """
                        {"agent": "calculator", "input": {"expressions": [], "colour": "red"},
                         "conversationId": "has spaces", "priority": "urgent"}"""))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request",
                        "input.expressions must have at least 1 item(s); input.colour is not an input of agent calculator;"
                                + " conversationId must be 1-128 of A-Z a-z 0-9 . _ : -;"
                                + " priority must be 'interactive' or 'background'"))
                .andExpect(jsonPath("$.errors.length()").value(4))
                .andExpect(jsonPath("$.errors[0].field").value("input.expressions"))
                .andExpect(jsonPath("$.errors[0].message").value("must have at least 1 item(s)"))
                .andExpect(jsonPath("$.errors[1].field").value("input.colour"))
                .andExpect(jsonPath("$.errors[2].field").value("conversationId"))
                .andExpect(jsonPath("$.errors[3].field").value("priority"));
        mvc.perform(createRun(ACME, "{\"input\": {}}"))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request", "agent is required"))
                .andExpect(jsonPath("$.errors[0].field").value("agent"));
        mvc.perform(createRun(ACME, "{\"agent\": \"calculator\"}"))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request", "input.expressions is required"));
        verifyNoInteractions(acceptance);
    }

    @Test
    void anInvalidPriorityOrConversationIdAloneIsA422NamingIt() throws Exception {
        mvc.perform(createRun(ACME, """
                        {"agent": "calculator", "input": {"expressions": ["1"]}, "priority": "urgent"}"""))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request",
                        "priority must be 'interactive' or 'background'"));
        mvc.perform(createRun(ACME, """
                        {"agent": "calculator", "input": {"expressions": ["1"]}, "conversationId": "%s"}"""
                        .formatted("c".repeat(129))))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid run request",
                        "conversationId must be 1-128 of A-Z a-z 0-9 . _ : -"));
        verifyNoInteractions(acceptance);
    }

    @Test
    void aBodyOverTheLimitGets413AsAProblemBeforeItsKeyIsEvenLookedAt() throws Exception {
        String tooLarge = "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"" + "1+".repeat(33_000) + "1\"]}}";
        for (String key : new String[] {ACME, null}) {
            mvc.perform(createRun(key, tooLarge).header("X-Correlation-Id", "corr-large"))
                    .andExpect(problem(HttpStatus.CONTENT_TOO_LARGE, "Request body too large",
                            "Request bodies are limited to 65536 bytes."))
                    .andExpect(header().string("X-Correlation-Id", "corr-large"));
        }
        verifyNoInteractions(acceptance);
    }

    @Test
    void anAcceptedRunCarriesTheTenantsRateLimitPolicyAndWhatIsLeftOfIt() throws Exception {
        window.admit(4, Duration.ofMillis(8_200));

        mvc.perform(createRun(TINY, CALCULATE))
                .andExpect(status().isAccepted())
                .andExpect(header().string("RateLimit-Policy", "\"runs\";q=5;w=10"))
                .andExpect(header().string("RateLimit", "\"runs\";r=4;t=9"));
        mvc.perform(createRun(ACME, CALCULATE))
                .andExpect(header().string("RateLimit-Policy", "\"runs\";q=100000;w=60"));
    }

    @Test
    void aTenantOverItsLimitGets429WithRetryAfterAndTheViolatedPolicyAndNothingIsAccepted() throws Exception {
        window.refuse(Duration.ofSeconds(7));

        mvc.perform(createRun(TINY, CALCULATE))
                .andExpect(status().isTooManyRequests())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(header().string(HttpHeaders.RETRY_AFTER, "7"))
                .andExpect(header().string("RateLimit-Policy", "\"runs\";q=5;w=10"))
                .andExpect(header().string("RateLimit", "\"runs\";r=0;t=7"))
                .andExpect(jsonPath("$.type").value("https://iana.org/assignments/http-problem-types#quota-exceeded"))
                .andExpect(jsonPath("$.title").value("Rate limit exceeded"))
                .andExpect(jsonPath("$.status").value(429))
                .andExpect(jsonPath("$.detail").value(
                        "Tenant 'tiny' may create 5 runs in any 10 s (policy \"runs\"); retry in 7 s."))
                .andExpect(jsonPath("$.violated-policies[0]").value("runs"));
        verifyNoInteractions(acceptance);
    }

    @Test
    void anInvalidIdempotencyKeyIsA400ProblemAndNothingIsAccepted() throws Exception {
        for (String key : new String[] {"has space", "\"\"", "k".repeat(256), "clé"}) {
            mvc.perform(createRun(ACME, CALCULATE).header("Idempotency-Key", key))
                    .andExpect(problem(HttpStatus.BAD_REQUEST, "Invalid Idempotency-Key",
                            "Idempotency-Key must be 1-255 visible ASCII characters, for example a UUID."));
        }
        verifyNoInteractions(acceptance);
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyGetsTheFirstAnswerAndAnotherBodyIsA422() throws Exception {
        String key = "slice-" + UUID.randomUUID();
        var first = mvc.perform(createRun(ACME, CALCULATE).header("Idempotency-Key", key))
                .andExpect(status().isAccepted())
                .andReturn().getResponse();

        mvc.perform(createRun(ACME, CALCULATE).header("Idempotency-Key", "\"" + key + "\""))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Idempotent-Replayed", "true"))
                .andExpect(header().string(HttpHeaders.LOCATION, first.getHeader(HttpHeaders.LOCATION)))
                .andExpect(content().json(first.getContentAsString(), JsonCompareMode.STRICT));
        mvc.perform(createRun(ACME, CALCULATE.replace("2+2", "3+3")).header("Idempotency-Key", key))
                .andExpect(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused",
                        "This Idempotency-Key was used for a request with another body; use a new key for a new request."));
        mvc.perform(createRun(GLOBEX, CALCULATE).header("Idempotency-Key", key))
                .andExpect(status().isAccepted())
                .andExpect(header().doesNotExist("Idempotent-Replayed"));
        verify(acceptance, times(1)).accept(eq("acme"), anyString(), any(), any(), anyString(), any(), any());
    }

    @Test
    void aRunIsShownAsTheFoldOfItsEvents() throws Exception {
        given(runEvents.read("acme", "run-7", null)).willReturn(List.of(
                entry("1-0", accepted("run-7")),
                entry("2-0", new RunEnded(RunStatus.SUCCEEDED, Map.of("results", List.of(4)), null,
                        Instant.parse("2026-12-01T10:00:05Z"))),
                new RunEventLog.Entry("3-0", "run.annotated.by.a.newer.writer", "{}")));

        mvc.perform(get("/v1/runs/run-7").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.runId").value("run-7"))
                .andExpect(jsonPath("$.conversationId").value("conv-7"))
                .andExpect(jsonPath("$.agent").value("calculator"))
                .andExpect(jsonPath("$.status").value("succeeded"))
                .andExpect(jsonPath("$.output.results[0]").value(4))
                .andExpect(jsonPath("$.createdAt").value("2026-12-01T10:00:00Z"))
                .andExpect(jsonPath("$.completedAt").value("2026-12-01T10:00:05Z"));
    }

    @Test
    void aRunThatDoesNotExistIs404AndSoIsAnotherTenantsRun() throws Exception {
        given(runEvents.read("acme", "run-of-acme", null)).willReturn(List.of(entry("1-0", accepted("run-of-acme"))));

        mvc.perform(get("/v1/runs/run-of-acme").header(HttpHeaders.AUTHORIZATION, GLOBEX))
                .andExpect(problem(HttpStatus.NOT_FOUND, "Run not found", "There is no run 'run-of-acme'."));
        mvc.perform(get("/v1/runs/no-such-run").header(HttpHeaders.AUTHORIZATION, GLOBEX))
                .andExpect(problem(HttpStatus.NOT_FOUND, "Run not found", "There is no run 'no-such-run'."));
        mvc.perform(post("/v1/runs/run-of-acme/cancel").header(HttpHeaders.AUTHORIZATION, GLOBEX))
                .andExpect(problem(HttpStatus.NOT_FOUND, "Run not found", "There is no run 'run-of-acme'."));
        verifyNoInteractions(ending);
    }

    @Test
    void aCancelledRunAnswersWithItsStatusCancelled() throws Exception {
        RunAccepted run = accepted("run-8");
        given(runEvents.accepted("acme", "run-8")).willReturn(Optional.of(run));
        given(ending.end("acme", run, EventIds.EndedBy.CANCEL, RunAcceptance.SOURCE, RunStatus.CANCELLED,
                "cancelled by the client")).willReturn(RunEnding.Result.ENDED);
        given(runEvents.read("acme", "run-8", null)).willReturn(List.of(entry("1-0", run),
                entry("2-0", new RunEnded(RunStatus.CANCELLED, null, "cancelled by the client", Instant.now()))));

        mvc.perform(post("/v1/runs/run-8/cancel").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runId").value("run-8"))
                .andExpect(jsonPath("$.status").value("cancelled"))
                .andExpect(jsonPath("$.error").value("cancelled by the client"));
    }

    @Test
    void cancellingARunThatEndedOtherwiseIsA409ProblemSayingHowItEnded() throws Exception {
        RunAccepted run = accepted("run-9");
        given(runEvents.accepted("acme", "run-9")).willReturn(Optional.of(run));
        given(ending.end(eq("acme"), eq(run), eq(EventIds.EndedBy.CANCEL), anyString(), eq(RunStatus.CANCELLED), anyString()))
                .willReturn(RunEnding.Result.ALREADY_ENDED);
        given(runEvents.ended("acme", "run-9")).willReturn(Optional.of("run.completed"));

        mvc.perform(post("/v1/runs/run-9/cancel").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(problem(HttpStatus.CONFLICT, "Run already ended",
                        "Run 'run-9' cannot be cancelled: it already ended with run.completed."));
        verify(runEvents, never()).read(anyString(), anyString(), any());
    }

    private static MockHttpServletRequestBuilder createRun(String authorization, String body) {
        MockHttpServletRequestBuilder request = post("/v1/runs").contentType(MediaType.APPLICATION_JSON).content(body);
        return authorization == null ? request : request.header(HttpHeaders.AUTHORIZATION, authorization);
    }

    private static RunAccepted accepted(String runId) {
        Instant createdAt = Instant.parse("2026-12-01T10:00:00Z");
        return new RunAccepted(runId, "conv-" + runId.substring(4), "calculator", Priority.INTERACTIVE, "corr-" + runId,
                createdAt, createdAt.plusSeconds(60));
    }

    private static RunEventLog.Entry entry(String id, RunEvent event) {
        return new RunEventLog.Entry(id, event.eventName(), RunEvents.encode(event));
    }
}
