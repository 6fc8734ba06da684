package io.switchboard.worker.execution;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventIds;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TaskBacklog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.platform.ToolOutputs;
import io.switchboard.worker.tools.ToolOutputCache;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * What the platform keeps of a task beyond its message: whether it was finished before, whether its
 * run has ended, its cached output, the tokens reserved for it, and its outcome, told to the run
 * through Kafka (a large output kept aside, {@link ToolOutputs}). A task costs Redis a script before
 * its tool runs ({@link #begin}) and one after ({@link #finish}), each shared with the tasks that are
 * waiting for the same ({@link SharedRoundTrips}).
 */
@Component
class TaskLedger {

    static final String SOURCE = "/switchboard/worker-service";

    /**
     * KEYS: for each task its current filter, previous filter, done mark, run ended, run budget,
     * tenant-day budget[, cached output]. ARGV: for each task how many keys it has (6 or 7), its
     * tokens, its id, how many bits it has in the filters and those bits. Returns for each task
     * {check answer, 'finished' | 'ended', event | 'cached', output | 'reserved' | 'refused',
     * reservation's answer...}.
     */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> BEGIN = RedisScript.of(ProcessedEvents.CHECK_FUNCTION + TokenBudgets.RESERVE_FUNCTION + """
            local function begin(k, keys, tokens, task, offsets)
              local check = processed_check(KEYS[k], KEYS[k + 1], KEYS[k + 2], offsets)
              if check == 2 then return {check, 'finished'} end
              local ended = redis.call('GET', KEYS[k + 3])
              if ended then return {check, 'ended', ended} end
              if keys == 7 then
                local output = redis.call('GET', KEYS[k + 6])
                if output then return {check, 'cached', output} end
              end
              local reserved = reserve(KEYS[k + 4], KEYS[k + 5], tokens, task)
              if reserved[1] == 1 then return {check, 'reserved'} end
              return {check, 'refused', unpack(reserved)}
            end
            local answers, k, a = {}, 1, 1
            while a <= #ARGV do
              local keys, bits = tonumber(ARGV[a]), tonumber(ARGV[a + 3])
              answers[#answers + 1] = begin(k, keys, ARGV[a + 1], ARGV[a + 2], {unpack(ARGV, a + 4, a + 3 + bits)})
              k = k + keys
              a = a + 4 + bits
            end
            return answers
            """, List.class);

    /**
     * KEYS: for each task its current filter, done mark, tasks waiting[, cached output]. ARGV:
     * retention seconds, output TTL in milliseconds, then for each task its id, its output to cache
     * (or empty), how many bits it has in the filter and those bits.
     */
    private static final RedisScript<Long> FINISH = RedisScript.of(ProcessedEvents.MARK_FUNCTION + """
            local k, a = 1, 3
            while a <= #ARGV do
              local bits = tonumber(ARGV[a + 2])
              processed_mark(KEYS[k], KEYS[k + 1], ARGV[1], {unpack(ARGV, a + 3, a + 2 + bits)})
              redis.call('SREM', KEYS[k + 2], ARGV[a])
              k = k + 3
              if ARGV[a + 1] ~= '' then
                redis.call('SET', KEYS[k], ARGV[a + 1], 'PX', ARGV[2])
                k = k + 1
              end
              a = a + 3 + bits
            end
            return 1
            """, Long.class);

    /** A task's part of a shared round trip: its keys and its arguments. */
    private record Part(List<String> keys, List<String> args) {
    }

    private final SharedRoundTrips<Part, List<?>> beginning = new SharedRoundTrips<>(this::beginAll);
    private final SharedRoundTrips<Part, Object> finishing = new SharedRoundTrips<>(this::finishAll);

    private final StringRedisTemplate redis;
    private final EventPublisher events;
    private final ProcessedEvents processed;
    private final RunEventLog runEvents;
    private final TokenBudgets budgets;
    private final ToolOutputs outputs;
    private final ToolOutputCache cache;
    private final TaskBacklog backlog;

    TaskLedger(StringRedisTemplate redis, EventPublisher events, ProcessedEvents processed, RunEventLog runEvents,
               TokenBudgets budgets, ToolOutputs outputs, ToolOutputCache cache, TaskBacklog backlog) {
        this.backlog = backlog;
        this.redis = redis;
        this.events = events;
        this.processed = processed;
        this.runEvents = runEvents;
        this.budgets = budgets;
        this.outputs = outputs;
        this.cache = cache;
    }

    /** How a task may go on, decided in one round trip before its tool runs. */
    sealed interface Start {

        /** It was finished before: this is a redelivery. */
        record Finished() implements Start {
        }

        /** Its run has ended, with this terminal event. */
        record Ended(String event) implements Start {
        }

        /** Its deterministic call was made before, with this output. */
        record Cached(Map<String, Object> output) implements Start {
        }

        /** Its run or tenant does not have the tokens, for this reason. */
        record Refused(String reason) implements Start {
        }

        /** Its tokens are reserved: the tool may run. */
        record Reserved() implements Start {
        }
    }

    /**
     * Whether the task was finished before, whether its run has ended, its output if {@code cacheKey}
     * (null for a tool that is not deterministic) holds one, else its {@code tokens} reserved from its
     * run's and tenant's budgets. The tasks that begin while a round trip for others is out begin
     * together in the next.
     */
    Start begin(String tenantId, ToolTask task, String cacheKey, long tokens) {
        List<String> keys = new ArrayList<>(processed.checkKeys(task.taskId()));
        keys.add(RedisKeys.runEnded(tenantId, task.runId()));
        keys.addAll(budgets.reserveKeys(tenantId, task.runId()));
        if (cacheKey != null) {
            keys.add(cacheKey);
        }
        List<String> bits = processed.offsets(task.taskId());
        List<String> args = new ArrayList<>(List.of(String.valueOf(keys.size()), String.valueOf(tokens), task.taskId(),
                String.valueOf(bits.size())));
        args.addAll(bits);
        List<?> answer = beginning.send(new Part(keys, args));
        if (processed.counted(((Number) answer.get(0)).longValue())) {
            return new Start.Finished();
        }
        return switch ((String) answer.get(1)) {
            case "ended" -> new Start.Ended((String) answer.get(2));
            case "cached" -> new Start.Cached(ToolOutputCache.decode((String) answer.get(2)));
            case "reserved" -> new Start.Reserved();
            default -> new Start.Refused(budgets.refusal(answer.subList(2, answer.size()), tenantId, tokens).orElseThrow());
        };
    }

    @SuppressWarnings("unchecked")
    private List<List<?>> beginAll(List<Part> tasks) {
        return (List<List<?>>) redis.execute(BEGIN, keys(tasks), args(List.of(), tasks));
    }

    /** How the task's run ended, if it has. */
    Optional<String> runEnded(String tenantId, ToolTask task) {
        return runEvents.ended(tenantId, task.runId());
    }

    /** Gives the task's reserved tokens back. */
    void release(String tenantId, ToolTask task) {
        budgets.release(tenantId, task.runId(), task.taskId());
    }

    /**
     * Publishes {@code agent.tool_called} on the task's lane ({@link ToolTask#lane}), caused by the
     * task, and waits for Kafka's acknowledgement.
     */
    void publish(Envelope cause, ToolTask task, ToolOutcome outcome) {
        Envelope envelope = cause.next(EventIds.toolCalled(task.taskId()), SOURCE, ToolCalled.class);
        events.publish(Topics.lane(Topics.AGENT_TOOL_CALLED, task.lane()), task.conversationId(), envelope,
                ToolCalled.of(task, outputs.checkIn(cause.tenantId(), task.runId(), outcome)));
    }

    /**
     * The task is done with: a redelivery is skipped, it no longer counts as waiting, and a fresh
     * {@code output} is cached under {@code cacheKey} (either may be null). The tasks that finish while
     * a round trip for others is out are finished together in the next.
     */
    void finish(String tenantId, ToolTask task, String cacheKey, Map<String, Object> output) {
        List<String> keys = new ArrayList<>(processed.markKeys(task.taskId()));
        keys.add(RedisKeys.tasksWaiting(tenantId, task.priority())); // as TaskBacklog#done does
        boolean caching = cacheKey != null && output != null;
        if (caching) {
            keys.add(cacheKey);
        }
        List<String> bits = processed.offsets(task.taskId());
        List<String> args = new ArrayList<>(List.of(task.taskId(), caching ? ToolOutputCache.encode(output) : "",
                String.valueOf(bits.size())));
        args.addAll(bits);
        finishing.send(new Part(keys, args));
    }

    private List<Object> finishAll(List<Part> tasks) {
        redis.execute(FINISH, keys(tasks), args(List.of(String.valueOf(processed.retention().toSeconds()),
                String.valueOf(cache.ttl().toMillis())), tasks));
        return Collections.nCopies(tasks.size(), null);
    }

    private static List<String> keys(List<Part> tasks) {
        return tasks.stream().flatMap(task -> task.keys().stream()).toList();
    }

    private static Object[] args(List<String> first, List<Part> tasks) {
        return Stream.concat(first.stream(), tasks.stream().flatMap(task -> task.args().stream())).toArray();
    }

    /** The task will not run (its run has ended): it no longer counts as waiting. */
    void skipped(String tenantId, ToolTask task) {
        backlog.done(tenantId, task);
    }
}
