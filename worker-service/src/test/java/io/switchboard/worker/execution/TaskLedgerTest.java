package io.switchboard.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolTask;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.worker.tools.ToolOutputCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;

/** Tasks beginning or finishing at once, begun or finished together, against the real Redis. */
@SpringBootTest
@ActiveProfiles("local")
class TaskLedgerTest {

    @Autowired
    TaskLedger ledger;

    @Autowired
    ProcessedEvents processed;

    @Autowired
    StringRedisTemplate redis;

    private final String tenant = "ledger-test-" + UUID.randomUUID();
    private final String runId = UUID.randomUUID().toString();
    private final String endedRunId = UUID.randomUUID().toString();

    /**
     * Sixty tasks begin at once, in five kinds: finished before, of a run that has ended, with a
     * cached output, within their run's budget (with nothing cached under their key), and over it.
     * Each gets its own answer.
     */
    @Test
    void everyTaskBegunAtOnceGetsItsOwnAnswer() throws Exception {
        redis.opsForHash().putAll(RedisKeys.tokensPerRun(tenant, runId), Map.of("limit", "1000", "day-limit", "1000000"));
        redis.opsForValue().set(RedisKeys.runEnded(tenant, endedRunId), "agent.cancelled");
        List<ToolTask> tasks = IntStream.range(0, 60).mapToObj(index -> task(index % 5 == 1 ? endedRunId : runId, index)).toList();
        tasks.stream().filter(task -> task.index() % 5 == 0).forEach(task -> processed.markDone(task.taskId()));
        tasks.stream().filter(task -> task.index() % 5 == 2)
                .forEach(task -> redis.opsForValue().set(cacheKey(task), ToolOutputCache.encode(Map.of("value", task.index()))));

        List<TaskLedger.Start> starts;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TaskLedger.Start>> begun = tasks.stream().map(task -> threads.submit(() -> ledger.begin(tenant, task,
                    task.index() % 5 == 2 || task.index() % 5 == 3 ? cacheKey(task) : null, task.index() % 5 == 4 ? 5_000 : 10)))
                    .toList();
            starts = new ArrayList<>();
            for (Future<TaskLedger.Start> each : begun) {
                starts.add(each.get());
            }
        }

        for (ToolTask task : tasks) {
            TaskLedger.Start start = starts.get(task.index());
            switch (task.index() % 5) {
                case 0 -> assertThat(start).isInstanceOf(TaskLedger.Start.Finished.class);
                case 1 -> assertThat(start).isEqualTo(new TaskLedger.Start.Ended("agent.cancelled"));
                case 2 -> assertThat(start).isEqualTo(new TaskLedger.Start.Cached(Map.of("value", task.index())));
                case 3 -> assertThat(start).isInstanceOf(TaskLedger.Start.Reserved.class);
                default -> assertThat(start).isInstanceOfSatisfying(TaskLedger.Start.Refused.class,
                        refused -> assertThat(refused.reason()).contains("the run's budget").contains("needs 5000"));
            }
        }
        assertThat(redis.opsForHash().get(RedisKeys.tokensPerRun(tenant, runId), "used")).isEqualTo("120");
    }

    @Test
    void everyTaskFinishedAtOnceIsMarkedDoneNoLongerWaitsAndHasItsOutputCached() throws Exception {
        List<ToolTask> tasks = IntStream.range(0, 60).mapToObj(index -> task(runId, index)).toList();
        String waiting = RedisKeys.tasksWaiting(tenant, Priority.INTERACTIVE);
        redis.opsForSet().add(waiting, tasks.stream().map(ToolTask::taskId).toArray(String[]::new));

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> finished = tasks.stream().<Future<?>>map(task -> threads.submit(() -> ledger.finish(tenant, task,
                    task.index() % 2 == 0 ? cacheKey(task) : null, Map.of("value", task.index())))).toList();
            for (Future<?> each : finished) {
                each.get();
            }
        }

        assertThat(tasks).allSatisfy(task -> assertThat(processed.done(task.taskId())).isTrue());
        assertThat(redis.opsForSet().size(waiting)).isZero();
        assertThat(tasks).allSatisfy(task -> assertThat(redis.opsForValue().get(cacheKey(task)))
                .isEqualTo(task.index() % 2 == 0 ? ToolOutputCache.encode(Map.of("value", task.index())) : null));
    }

    private ToolTask task(String runId, int index) {
        return new ToolTask(runId + ".s1.t" + index, runId, "conv-" + runId, "calculator", 1, index, 60, true, "math.eval",
                Map.of("expression", index + "+1"), Priority.INTERACTIVE, false);
    }

    private String cacheKey(ToolTask task) {
        return "sb:" + tenant + ":ledger-test:" + task.taskId();
    }
}
