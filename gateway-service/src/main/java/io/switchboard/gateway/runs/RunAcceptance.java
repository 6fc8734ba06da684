package io.switchboard.gateway.runs;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStream;
import io.switchboard.events.Topics;
import io.switchboard.platform.InteractiveShare;
import io.switchboard.platform.OutageLog;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.gateway.tenants.TenantPolicies;
import java.time.Duration;
import java.time.ZoneOffset;
import org.springframework.http.HttpHeaders;
import org.springframework.web.ErrorResponseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.kafka.KafkaException;
import org.springframework.stereotype.Service;

/**
 * Accepts a run: opens its event stream, emits {@code agent.requested} on its lane (its priority
 * class's, unless its tenant is over its {@link InteractiveShare}) and answers only once Kafka has
 * acknowledged it. A run Kafka did not take is forgotten and the client told to retry.
 */
@Service
public class RunAcceptance {

    private static final Logger LOG = LoggerFactory.getLogger(RunAcceptance.class);
    /** While Kafka is away every request is refused: a line every 10 s at most, with its stack trace. */
    private static final OutageLog NOT_ACCEPTED = new OutageLog(LOG, Duration.ofSeconds(10));
    static final String SOURCE = "/switchboard/gateway-service";

    /**
     * KEYS: the admission's ({@link TokenBudgets#admitKeys}), then the acceptance's ({@link
     * RunEventLog#acceptKeys}), then the tenant's interactive runs in flight; ARGV likewise, then the
     * time in epoch milliseconds for an interactive run (empty for another). Returns the admission's
     * answer, and for an admitted interactive run the tenant's interactive runs in flight with it
     * ({@link InteractiveShare#ADD_FUNCTION}: the acceptance's member and deadline).
     */
    private static final RedisScript<List> ADMIT_AND_OPEN = RedisScript.of(TokenBudgets.ADMIT_FUNCTION
            + RunStream.APPEND_FUNCTION + RunEventLog.ACCEPT_FUNCTION + InteractiveShare.ADD_FUNCTION + """
            local admitted = admit(KEYS[1], KEYS[2], unpack(ARGV, 1, 4))
            if admitted[1] == 1 then
              run_accept(KEYS[3], KEYS[4], KEYS[5], KEYS[6], unpack(ARGV, 5, 11))
              if ARGV[12] ~= '' then admitted[3] = runs_in_flight_add(KEYS[7], ARGV[10], ARGV[11], ARGV[12], ARGV[8]) end
            end
            return admitted
            """, List.class);

    private final EventPublisher events;
    private final RunEventLog runEvents;
    private final TokenBudgets budgets;
    private final TenantPolicies policies;
    private final InteractiveShare share;
    private final MeterRegistry meters;
    private final StringRedisTemplate redis;

    RunAcceptance(EventPublisher events, RunEventLog runEvents, TokenBudgets budgets, TenantPolicies policies,
                  InteractiveShare share, MeterRegistry meters, StringRedisTemplate redis) {
        this.events = events;
        this.runEvents = runEvents;
        this.budgets = budgets;
        this.policies = policies;
        this.share = share;
        this.meters = meters;
        this.redis = redis;
    }

    AcceptedRun accept(String tenantId, String correlationId, AgentDefinitions.Resolved resolved, Map<String, Object> input,
                       String conversationId, Priority priority, List<Map<String, Object>> history) {
        AgentDefinition agent = resolved.definition();
        String runId = UUID.randomUUID().toString();
        Envelope envelope = Envelope.origin(UUID.randomUUID().toString(), SOURCE, AgentRequested.class,
                tenantId, correlationId, runId);
        Instant now = Instant.now();
        Instant deadline = now.plus(agent.deadline());
        AgentRequested requested = new AgentRequested(runId, conversationId, agent.name(), input, priority, now,
                resolved.version(), history, deadline);

        long inFlight = admitAndOpen(tenantId, runId, envelope.id(), agent, new RunAccepted(runId, conversationId, agent.name(),
                priority, correlationId, requested.requestedAt(), deadline));
        Priority lane = share.lane(tenantId, priority, inFlight);
        if (lane != priority) {
            meters.counter("switchboard.runs.over.share", "tenant", tenantId).increment();
        }
        try {
            events.publish(Topics.lane(Topics.AGENT_REQUESTED, lane), conversationId, envelope, requested);
        } catch (KafkaException e) {
            throw notAccepted(tenantId, runId, e);
        }
        meters.counter("switchboard.runs.accepted", "tenant", tenantId, "agent", agent.name()).increment();
        LOG.debug("accepted run {} of agent {} for tenant {}", runId, agent.name(), tenantId);
        return new AcceptedRun(runId, conversationId, "accepted", correlationId);
    }

    /**
     * In one round trip: the run's estimated tokens must fit what the tenant has left today and its
     * per-run budget; if they do, the run's budget is opened, its event stream opened with {@code
     * run.accepted}, its deadline watched and, if it is interactive, counted in flight. Returns the
     * tenant's interactive runs in flight (0 for a background run).
     */
    private long admitAndOpen(String tenantId, String runId, String eventId, AgentDefinition agent, RunAccepted accepted) {
        List<String> keys = new ArrayList<>(budgets.admitKeys(tenantId, runId));
        keys.addAll(runEvents.acceptKeys(tenantId, runId));
        keys.add(RedisKeys.interactiveRunsInFlight(tenantId));
        List<String> args = new ArrayList<>(budgets.admitArgs(policies.tokensPerDay(tenantId), policies.tokensPerRun(tenantId),
                agent.tokens()));
        args.addAll(runEvents.acceptArgs(tenantId, runId, eventId, accepted));
        args.add(accepted.priority() == Priority.INTERACTIVE ? String.valueOf(System.currentTimeMillis()) : "");
        List<?> answer = redis.execute(ADMIT_AND_OPEN, keys, args.toArray());
        TokenBudgets.Admission admission = budgets.admission(answer, policies.tokensPerDay(tenantId));
        if (admission.runBudgetTooSmall()) {
            ErrorResponseException problem = Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Run budget too small",
                    "Agent '" + agent.name() + "' needs an estimated " + agent.tokens() + " tokens per run; this tenant's"
                            + " budget per run (budget 'tokens-per-run') is " + policies.tokensPerRun(tenantId) + ".");
            problem.getBody().setProperty("budget", "tokens-per-run");
            throw problem;
        }
        if (!admission.admitted()) {
            meters.counter("switchboard.budget.refused", "tenant", tenantId).increment();
            ErrorResponseException problem = Problems.of(HttpStatus.TOO_MANY_REQUESTS, "Token budget exhausted",
                    "This tenant has used " + admission.dayUsed() + " of its " + admission.dayLimit() + " tokens for "
                            + admission.day() + " (budget 'tokens-per-day'); agent '" + agent.name()
                            + "' needs an estimated " + agent.tokens() + ". GET /v1/usage shows what is left.");
            problem.getBody().setProperty("budget", "tokens-per-day");
            long untilMidnight = Duration.between(Instant.now(),
                    admission.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()).toSeconds();
            problem.getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, untilMidnight)));
            throw problem;
        }
        return answer.size() > 2 ? ((Number) answer.get(2)).longValue() : 0;
    }

    private RuntimeException notAccepted(String tenantId, String runId, Exception cause) {
        NOT_ACCEPTED.warn("run {} not accepted: Kafka did not acknowledge agent.requested", runId, cause);
        runEvents.discard(tenantId, runId);
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Run not accepted",
                "The event log did not acknowledge the run in time; nothing was started. Retry the request.");
    }

    public record AcceptedRun(String runId, String conversationId, String status, String correlationId) {
    }
}
