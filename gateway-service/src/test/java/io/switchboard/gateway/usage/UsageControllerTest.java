package io.switchboard.gateway.usage;

import static io.switchboard.gateway.web.GatewaySlice.ACME;
import static io.switchboard.gateway.web.GatewaySlice.GLOBEX;
import static io.switchboard.gateway.web.GatewaySlice.problem;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.switchboard.gateway.runs.RunHistory;
import io.switchboard.gateway.tenants.TenantPolicies;
import io.switchboard.gateway.web.GatewaySlice;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.store.RunStore;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * A tenant's token usage as it reads it: today's against its daily budget, and one run's against
 * the run's budget, with another tenant's run answered like one that does not exist; each with the
 * tokens models used and their cost (priced from Redis in {@code ModelUsageIntegrationTest}).
 */
@WebMvcTest(UsageController.class)
@Import({GatewaySlice.class, RunHistory.class})
@ActiveProfiles("local")
class UsageControllerTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    TokenBudgets budgets;

    @MockitoBean
    TenantPolicies policies;

    @MockitoBean
    RunEventLog runEvents;

    /** Nothing stored: every run is still in Redis. */
    @MockitoBean
    RunStore store;

    @MockitoBean
    ModelUsage models;

    @BeforeEach
    void noModelUsedYet() {
        given(models.day(anyString(), any())).willReturn(new ModelUsage.Costed(Map.of(), BigDecimal.ZERO));
        given(models.run(anyString(), anyString())).willReturn(new ModelUsage.Costed(Map.of(), BigDecimal.ZERO));
    }

    @Test
    void todaysUsageIsMeasuredAgainstTheTenantsDailyBudget() throws Exception {
        given(budgets.today("acme")).willReturn(new TokenBudgets.Usage(1_200, 0, 0));
        given(policies.tokensPerDay("acme")).willReturn(5_000L);
        given(policies.tokensPerRun("acme")).willReturn(800L);

        mvc.perform(get("/v1/usage").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.tenant").value("acme"))
                .andExpect(jsonPath("$.day").value(LocalDate.now(ZoneOffset.UTC).toString()))
                .andExpect(jsonPath("$.tokens.used").value(1_200))
                .andExpect(jsonPath("$.tokens.limit").value(5_000))
                .andExpect(jsonPath("$.tokens.remaining").value(3_800))
                .andExpect(jsonPath("$.tokensPerRun").value(800))
                .andExpect(jsonPath("$.models").isMap())
                .andExpect(jsonPath("$.models").isEmpty())
                .andExpect(jsonPath("$.cost").value(0));
    }

    @Test
    void todaysUsageShowsTheTokensEachModelUsedAndWhatTheyCost() throws Exception {
        given(budgets.today("acme")).willReturn(new TokenBudgets.Usage(1_200, 0, 0));
        given(policies.tokensPerDay("acme")).willReturn(5_000L);
        given(models.day("acme", LocalDate.now(ZoneOffset.UTC))).willReturn(new ModelUsage.Costed(Map.of(
                "gpt-4o-mini", new ModelUsage.Model(12_000, 3_000, new BigDecimal("0.0036")),
                "llama3:8b", new ModelUsage.Model(500, 20, BigDecimal.ZERO)), new BigDecimal("0.0036")));

        mvc.perform(get("/v1/usage").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokens.used").value(1_200))
                .andExpect(jsonPath("$.models['gpt-4o-mini'].promptTokens").value(12_000))
                .andExpect(jsonPath("$.models['gpt-4o-mini'].completionTokens").value(3_000))
                .andExpect(jsonPath("$.models['gpt-4o-mini'].cost").value(0.0036))
                .andExpect(jsonPath("$.models['llama3:8b'].promptTokens").value(500))
                .andExpect(jsonPath("$.models['llama3:8b'].cost").value(0))
                .andExpect(jsonPath("$.cost").value(0.0036));
    }

    @Test
    void aTenantOverItsBudgetHasNothingLeftRatherThanANegativeRemainder() throws Exception {
        given(budgets.today("acme")).willReturn(new TokenBudgets.Usage(5_300, 0, 0));
        given(policies.tokensPerDay("acme")).willReturn(5_000L);

        mvc.perform(get("/v1/usage").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokens.used").value(5_300))
                .andExpect(jsonPath("$.tokens.remaining").value(0));
    }

    @Test
    void aRunsUsageIsMeasuredAgainstItsBudget() throws Exception {
        given(runEvents.exists("acme", "run-1")).willReturn(true);
        given(budgets.run("acme", "run-1")).willReturn(new TokenBudgets.Usage(150, 800, 650));

        mvc.perform(get("/v1/runs/run-1/usage").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runId").value("run-1"))
                .andExpect(jsonPath("$.tokens.used").value(150))
                .andExpect(jsonPath("$.tokens.limit").value(800))
                .andExpect(jsonPath("$.tokens.remaining").value(650))
                .andExpect(jsonPath("$.models").isEmpty())
                .andExpect(jsonPath("$.cost").value(0));
    }

    @Test
    void aRunsUsageShowsTheTokensEachModelUsedForItAndWhatTheyCost() throws Exception {
        given(runEvents.exists("acme", "run-2")).willReturn(true);
        given(budgets.run("acme", "run-2")).willReturn(new TokenBudgets.Usage(150, 800, 650));
        given(models.run("acme", "run-2")).willReturn(new ModelUsage.Costed(Map.of(
                "gpt-4o-mini", new ModelUsage.Model(1_000, 200, new BigDecimal("0.00027"))), new BigDecimal("0.00027")));

        mvc.perform(get("/v1/runs/run-2/usage").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runId").value("run-2"))
                .andExpect(jsonPath("$.tokens.used").value(150))
                .andExpect(jsonPath("$.models['gpt-4o-mini'].promptTokens").value(1_000))
                .andExpect(jsonPath("$.models['gpt-4o-mini'].completionTokens").value(200))
                .andExpect(jsonPath("$.models['gpt-4o-mini'].cost").value(0.00027))
                .andExpect(jsonPath("$.cost").value(0.00027));
    }

    @Test
    void aRunThatDoesNotExistIs404AndSoIsAnotherTenantsRun() throws Exception {
        given(runEvents.exists("acme", "run-1")).willReturn(true);

        for (String runId : new String[] {"run-1", "no-such-run"}) {
            mvc.perform(get("/v1/runs/" + runId + "/usage").header(HttpHeaders.AUTHORIZATION, GLOBEX))
                    .andExpect(problem(HttpStatus.NOT_FOUND, "Run not found", "There is no run '" + runId + "'."));
        }
        verify(budgets, never()).run(anyString(), anyString());
        verify(models, never()).run(anyString(), anyString());
    }

    @Test
    void withoutAKeyUsageIs401WithAChallenge() throws Exception {
        for (String path : new String[] {"/v1/usage", "/v1/runs/run-1/usage"}) {
            mvc.perform(get(path))
                    .andExpect(problem(HttpStatus.UNAUTHORIZED, "Unauthorized",
                            "Send a valid API key as 'Authorization: Bearer <key>'."))
                    .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\""));
        }
    }
}
