package io.switchboard.gateway.usage;

import io.switchboard.gateway.runs.RunHistory;
import io.switchboard.gateway.tenants.TenantPolicies;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import io.switchboard.store.RunStore;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's token consumption: today's (UTC), against its daily budget, and one run's against its
 * budget; each with the tokens models really used and what they cost.
 */
@RestController
class UsageController {

    private final TokenBudgets budgets;
    private final TenantPolicies policies;
    private final RunHistory history;
    private final RunStore store;
    private final ModelUsage models;

    UsageController(TokenBudgets budgets, TenantPolicies policies, RunHistory history, RunStore store, ModelUsage models) {
        this.budgets = budgets;
        this.policies = policies;
        this.history = history;
        this.store = store;
        this.models = models;
    }

    @GetMapping("/v1/usage")
    TenantUsage usage(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId) {
        TokenBudgets.Usage today = budgets.today(tenantId);
        long limit = policies.tokensPerDay(tenantId);
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        ModelUsage.Costed costed = models.day(tenantId, day);
        return new TenantUsage(tenantId, day.toString(),
                new TokenBudgets.Usage(today.used(), limit, Math.max(0, limit - today.used())), policies.tokensPerRun(tenantId),
                costed.models(), costed.cost());
    }

    @GetMapping("/v1/runs/{runId}/usage")
    RunUsage runUsage(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String runId) {
        if (!history.exists(tenantId, runId)) {
            throw Problems.runNotFound(runId);
        }
        TokenBudgets.Usage tokens = budgets.run(tenantId, runId);
        if (tokens.limit() == 0) {
            // Redis has let the ended run's counts go; the store kept them.
            Optional<RunStore.Budget> archived = store.budget(tenantId, runId);
            if (archived.isPresent()) {
                RunStore.Budget budget = archived.get();
                ModelUsage.Costed costed = models.priced(budget.models());
                return new RunUsage(runId, new TokenBudgets.Usage(budget.used(), budget.limit(),
                        Math.max(0, budget.limit() - budget.used())), costed.models(), costed.cost());
            }
        }
        ModelUsage.Costed costed = models.run(tenantId, runId);
        return new RunUsage(runId, tokens, costed.models(), costed.cost());
    }

    record TenantUsage(String tenant, String day, TokenBudgets.Usage tokens, long tokensPerRun,
                       Map<String, ModelUsage.Model> models, BigDecimal cost) {
    }

    record RunUsage(String runId, TokenBudgets.Usage tokens, Map<String, ModelUsage.Model> models, BigDecimal cost) {
    }
}
