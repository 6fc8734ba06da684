package io.switchboard.gateway.usage;

import io.switchboard.platform.web.TenantAuthenticationFilter;
import io.switchboard.gateway.tenants.TenantPolicies;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's token consumption: today's, against its daily budget, and one run's against its budget. */
@RestController
class UsageController {

    private final TokenBudgets budgets;
    private final TenantPolicies policies;
    private final RunEventLog runEvents;

    UsageController(TokenBudgets budgets, TenantPolicies policies, RunEventLog runEvents) {
        this.budgets = budgets;
        this.policies = policies;
        this.runEvents = runEvents;
    }

    @GetMapping("/v1/usage")
    TenantUsage usage(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId) {
        TokenBudgets.Usage today = budgets.today(tenantId);
        long limit = policies.tokensPerDay(tenantId);
        return new TenantUsage(tenantId, LocalDate.now(ZoneOffset.UTC).toString(),
                new TokenBudgets.Usage(today.used(), limit, Math.max(0, limit - today.used())), policies.tokensPerRun(tenantId));
    }

    @GetMapping("/v1/runs/{runId}/usage")
    RunUsage runUsage(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String runId) {
        if (!runEvents.exists(tenantId, runId)) {
            throw Problems.runNotFound(runId);
        }
        return new RunUsage(runId, budgets.run(tenantId, runId));
    }

    record TenantUsage(String tenant, String day, TokenBudgets.Usage tokens, long tokensPerRun) {
    }

    record RunUsage(String runId, TokenBudgets.Usage tokens) {
    }
}
