package io.switchboard.platform;

import io.switchboard.events.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Token budgets, as atomic counters in Redis: per tenant and day ({@link RedisKeys#tokensPerDay})
 * and per run ({@link RedisKeys#tokensPerRun}), each a hash of {@code limit} and
 * {@code used}. The gateway admits a run only if its agent's estimate fits what the tenant has
 * left today, and opens the run's budget. The worker reserves a task's estimated tokens against
 * both before the tool runs, refusing the task if either would go over, and gives them back if the
 * call failed. Reservations are atomic, so concurrent tasks never take a budget past its limit.
 * A task that learns what it really used (a model call) {@link #settle settles} its reservation to it.
 */
public class TokenBudgets {

    /**
     * Lua: {@code admit(tenant-day, run, day limit, run limit, estimate, TTL seconds)}, with the keys
     * and arguments {@link #admitKeys} and {@link #admitArgs} give. Returns {admitted (1, 0 day, -1
     * run), day used} and opens the run's budget if admitted. For a caller's script that does more
     * with an admitted run.
     */
    public static final String ADMIT_FUNCTION = """
            local function admit(day, run, day_limit, run_limit, estimate, ttl)
              redis.call('HSET', day, 'limit', day_limit)
              redis.call('EXPIRE', day, 172800)
              local used = tonumber(redis.call('HGET', day, 'used') or '0')
              if tonumber(estimate) > tonumber(run_limit) then return {-1, used} end
              if used + tonumber(estimate) > tonumber(day_limit) then return {0, used} end
              redis.call('HSET', run, 'limit', run_limit, 'day-limit', day_limit)
              redis.call('HSETNX', run, 'used', 0)
              redis.call('EXPIRE', run, ttl)
              return {1, used}
            end
            """;
    private static final RedisScript<List> ADMIT = RedisScript.of(ADMIT_FUNCTION + """
            return admit(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
            """, List.class);

    /**
     * Lua: {@code reserve(run, tenant-day, tokens, task id)}. Once per task: a redelivered task finds
     * its reservation. Returns {1} when reserved, {0, 'missing'} when the run has no budget (it fails
     * closed: a budget Redis lost is not an unlimited one), else {0, which ('run' or 'day'), used,
     * limit}. For a caller's script that checks more at once.
     */
    public static final String RESERVE_FUNCTION = """
            local function reserve(run, day, wanted, task)
              local run_limit = tonumber(redis.call('HGET', run, 'limit'))
              if not run_limit then return {0, 'missing'} end
              if redis.call('HEXISTS', run, 'task:' .. task) == 1 then return {1} end
              local day_limit = tonumber(redis.call('HGET', day, 'limit') or redis.call('HGET', run, 'day-limit'))
              local tokens = tonumber(wanted)
              local run_used = tonumber(redis.call('HGET', run, 'used') or '0')
              local day_used = tonumber(redis.call('HGET', day, 'used') or '0')
              if run_used + tokens > run_limit then return {0, 'run', run_used, run_limit} end
              if day_used + tokens > day_limit then return {0, 'day', day_used, day_limit} end
              redis.call('HINCRBY', run, 'used', tokens)
              redis.call('HSET', run, 'task:' .. task, tokens)
              redis.call('HINCRBY', day, 'used', tokens)
              redis.call('HSETNX', day, 'limit', day_limit)
              redis.call('EXPIRE', day, 172800)
              return {1}
            end
            """;

    /** KEYS: run, tenant-day. ARGV: tokens, task id. */
    private static final RedisScript<List> RESERVE = RedisScript.of(
            RESERVE_FUNCTION + "return reserve(KEYS[1], KEYS[2], ARGV[1], ARGV[2])\n", List.class);

    /**
     * KEYS: run, tenant-day. ARGV: task id. Gives back what the task reserved, once; nothing of a
     * settled task. ({@code 0 - tokens}, not {@code -tokens}: Lua writes minus zero as "-0", which
     * HINCRBY refuses.)
     */
    private static final RedisScript<Long> RELEASE = RedisScript.of("""
            local tokens = tonumber(redis.call('HGET', KEYS[1], 'task:' .. ARGV[1]))
            if not tokens or redis.call('HEXISTS', KEYS[1], 'settled:' .. ARGV[1]) == 1 then return 0 end
            redis.call('HDEL', KEYS[1], 'task:' .. ARGV[1])
            redis.call('HINCRBY', KEYS[1], 'used', 0 - tokens)
            redis.call('HINCRBY', KEYS[2], 'used', 0 - tokens)
            return tokens
            """, Long.class);

    /**
     * Lua: {@code settle(run, tenant-day, model usage of the tenant's day, model usage of the run,
     * task id, actual tokens, model ('' for none), prompt tokens, completion tokens, run retention
     * seconds, day usage retention seconds)}, with the keys and arguments {@link #settleKeys} and
     * {@link #settleModelCallArgs} give. Once per task (marked {@code settled:<task>} in the run's
     * hash): the task's reservation (if it made one) is replaced by the actual tokens in both
     * budgets, and the model's prompt and completion tokens are added to both usage hashes. Returns 1
     * if settled now, 0 if it was before. For a caller's script that does more at once.
     */
    public static final String SETTLE_FUNCTION = """
            local function settle(run, day, day_models, run_models, task, actual, model, prompt, completion, run_ttl, day_ttl)
              if redis.call('HSETNX', run, 'settled:' .. task, actual) == 0 then return 0 end
              if redis.call('TTL', run) < 0 then redis.call('EXPIRE', run, run_ttl) end
              local reserved = tonumber(redis.call('HGET', run, 'task:' .. task))
              if reserved then
                local delta = tonumber(actual) - reserved
                redis.call('HSET', run, 'task:' .. task, actual)
                redis.call('HINCRBY', run, 'used', delta)
                redis.call('HINCRBY', day, 'used', delta)
              end
              if model ~= '' then
                redis.call('HINCRBY', day_models, model .. ':prompt', prompt)
                redis.call('HINCRBY', day_models, model .. ':completion', completion)
                redis.call('EXPIRE', day_models, day_ttl)
                redis.call('HINCRBY', run_models, model .. ':prompt', prompt)
                redis.call('HINCRBY', run_models, model .. ':completion', completion)
                redis.call('EXPIRE', run_models, run_ttl)
              end
              return 1
            end
            """;
    private static final RedisScript<Long> SETTLE = RedisScript.of(SETTLE_FUNCTION + """
            return settle(KEYS[1], KEYS[2], KEYS[3], KEYS[4], unpack(ARGV, 1, 7))
            """, Long.class);

    /** How long a tenant's model usage per day is kept. */
    static final Duration DAY_USAGE_RETENTION = Duration.ofDays(90);

    private final StringRedisTemplate redis;
    private final Duration retention;
    private final Clock clock;

    TokenBudgets(StringRedisTemplate redis, Duration retention, Clock clock) {
        this.redis = redis;
        this.retention = retention;
        this.clock = clock;
    }

    /** Whether a run whose agent estimates {@code estimate} tokens may start; if so its budget is open. */
    public Admission admit(String tenantId, String runId, long dayLimit, long runLimit, long estimate) {
        return admission(redis.execute(ADMIT, admitKeys(tenantId, runId), admitArgs(dayLimit, runLimit, estimate).toArray()),
                dayLimit);
    }

    /** The keys {@link #ADMIT_FUNCTION} takes for a run: its tenant's budget of today, the run's. */
    public List<String> admitKeys(String tenantId, String runId) {
        return List.of(RedisKeys.tokensPerDay(tenantId, today()), RedisKeys.tokensPerRun(tenantId, runId));
    }

    /** The arguments {@link #ADMIT_FUNCTION} takes after its keys. */
    public List<String> admitArgs(long dayLimit, long runLimit, long estimate) {
        return List.of(String.valueOf(dayLimit), String.valueOf(runLimit), String.valueOf(estimate),
                String.valueOf(retention.toSeconds()));
    }

    /** What {@link #ADMIT_FUNCTION} answered, in a script here or a caller's. */
    public Admission admission(List<?> answer, long dayLimit) {
        long verdict = ((Number) answer.get(0)).longValue();
        return new Admission(verdict == 1, verdict == -1, today(), ((Number) answer.get(1)).longValue(), dayLimit);
    }

    /**
     * Reserves a task's tokens against its run and its tenant's day; empty if reserved, else why not.
     * A run without a budget is refused.
     */
    public Optional<String> reserve(String tenantId, String runId, String taskId, long tokens) {
        return refusal(redis.execute(RESERVE, reserveKeys(tenantId, runId), String.valueOf(tokens), taskId), tenantId, tokens);
    }

    /** What {@link #RESERVE_FUNCTION} takes for a run: its budget and its tenant's of today. */
    public List<String> reserveKeys(String tenantId, String runId) {
        return List.of(RedisKeys.tokensPerRun(tenantId, runId), RedisKeys.tokensPerDay(tenantId, today()));
    }

    /** Empty for a reservation {@link #RESERVE_FUNCTION} made, else why it refused. */
    public Optional<String> refusal(List<?> answer, String tenantId, long tokens) {
        if (((Number) answer.get(0)).longValue() == 1) {
            return Optional.empty();
        }
        if ("missing".equals(answer.get(1))) {
            return Optional.of("the run has no token budget (it was never opened, or Redis lost it); nothing runs without one");
        }
        String which = "run".equals(answer.get(1)) ? "the run's budget" : "tenant " + tenantId + "'s budget for " + today();
        return Optional.of("token budget exceeded: " + which + " has " + answer.get(2) + " of " + answer.get(3)
                + " tokens used and the task needs " + tokens);
    }

    /** Gives back what a task reserved, for a call that failed. */
    public void release(String tenantId, String runId, String taskId) {
        redis.execute(RELEASE, List.of(RedisKeys.tokensPerRun(tenantId, runId), RedisKeys.tokensPerDay(tenantId, today())), taskId);
    }

    /**
     * Replaces what a task reserved by what it actually used, in its run's and its tenant's day's
     * budgets, once per task: a redelivered task settles nothing more. A settled task's tokens are
     * never given back by {@link #release}.
     *
     * @return whether it was settled now (false: it was before)
     */
    public boolean settle(String tenantId, String runId, String taskId, long actualTokens) {
        return settled(redis.execute(SETTLE, settleKeys(tenantId, runId), settleArgs(taskId, actualTokens, "", 0, 0).toArray()));
    }

    /**
     * {@link #settle} for a model call, with the provider's reported usage, which is also added, in
     * the same step and as often, to the model's usage of the run ({@link RedisKeys#modelUsagePerRun})
     * and of the tenant's day ({@link RedisKeys#modelUsagePerDay}) as {@code <model>:prompt} and
     * {@code <model>:completion}.
     */
    public boolean settleModelCall(String tenantId, String runId, String taskId, String model, long promptTokens,
                                   long completionTokens) {
        return settled(redis.execute(SETTLE, settleKeys(tenantId, runId),
                settleModelCallArgs(taskId, model, promptTokens, completionTokens).toArray()));
    }

    /** Whether {@link #SETTLE_FUNCTION}'s answer, in a script here or a caller's, says it settled now. */
    public static boolean settled(Object answer) {
        return answer instanceof Number settled && settled.longValue() == 1;
    }

    /** The keys {@link #SETTLE_FUNCTION} takes for a run. */
    public List<String> settleKeys(String tenantId, String runId) {
        return List.of(RedisKeys.tokensPerRun(tenantId, runId), RedisKeys.tokensPerDay(tenantId, today()),
                RedisKeys.modelUsagePerDay(tenantId, today()), RedisKeys.modelUsagePerRun(tenantId, runId));
    }

    /** The arguments {@link #SETTLE_FUNCTION} takes after its keys for a model call, as {@link #settleModelCall} settles it. */
    public List<String> settleModelCallArgs(String taskId, String model, long promptTokens, long completionTokens) {
        return settleArgs(taskId, promptTokens + completionTokens, model == null ? "unknown" : model, promptTokens, completionTokens);
    }

    private List<String> settleArgs(String taskId, long actualTokens, String model, long prompt, long completion) {
        return List.of(taskId, String.valueOf(actualTokens), model, String.valueOf(prompt), String.valueOf(completion),
                String.valueOf(retention.toSeconds()), String.valueOf(DAY_USAGE_RETENTION.toSeconds()));
    }

    public Usage today(String tenantId) {
        return usage(RedisKeys.tokensPerDay(tenantId, today()));
    }

    public Usage run(String tenantId, String runId) {
        return usage(RedisKeys.tokensPerRun(tenantId, runId));
    }

    private Usage usage(String key) {
        Map<Object, Object> hash = redis.opsForHash().entries(key);
        long limit = Long.parseLong((String) hash.getOrDefault("limit", "0"));
        long used = Long.parseLong((String) hash.getOrDefault("used", "0"));
        return new Usage(used, limit, Math.max(0, limit - used));
    }

    private LocalDate today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    /**
     * @param admitted      whether the run may start
     * @param runBudgetTooSmall refused because the agent's estimate exceeds the per-run budget
     */
    public record Admission(boolean admitted, boolean runBudgetTooSmall, LocalDate day, long dayUsed, long dayLimit) {
    }

    public record Usage(long used, long limit, long remaining) {
    }
}
