package io.switchboard.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolTask;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.worker.tools.ToolOutputCache;
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

/** Tasks finishing at once, finished together, against the real Redis. */
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

    @Test
    void everyTaskFinishedAtOnceIsMarkedDoneNoLongerWaitsAndHasItsOutputCached() throws Exception {
        List<ToolTask> tasks = IntStream.range(0, 60).mapToObj(this::task).toList();
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

    private ToolTask task(int index) {
        return new ToolTask(runId + ".s1.t" + index, runId, "conv-" + runId, "calculator", 1, index, 60, true, "math.eval",
                Map.of("expression", index + "+1"), Priority.INTERACTIVE, false);
    }

    private String cacheKey(ToolTask task) {
        return "sb:" + tenant + ":ledger-test:" + task.taskId();
    }
}
