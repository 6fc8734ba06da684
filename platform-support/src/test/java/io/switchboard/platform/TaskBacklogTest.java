package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Priority;
import io.switchboard.events.ToolTask;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Tasks waiting per tenant and priority, on the real Redis: a task published or finished twice counts once. */
class TaskBacklogTest {

    private final StringRedisTemplate redis = RedisForTests.connect();
    private final TaskBacklog backlog = new TaskBacklog(redis);
    private final String tenant = "backlog-test-" + UUID.randomUUID();

    @AfterEach
    void cleanUp() {
        RedisForTests.deleteAll(redis, "sb:" + tenant + ":*");
    }

    @Test
    void aTaskWaitsFromItsPublicationToItsEndOnceWhateverIsRepeated() {
        ToolTask first = task("t0", Priority.INTERACTIVE);
        ToolTask second = task("t1", Priority.INTERACTIVE);
        ToolTask background = task("t2", Priority.BACKGROUND);

        backlog.published(tenant, List.of(first, second, background));
        backlog.published(tenant, List.of(first, second, background));
        assertThat(backlog.waiting(List.of(tenant))).containsEntry(tenant, Map.of(Priority.INTERACTIVE, 2L, Priority.BACKGROUND, 1L));

        backlog.done(tenant, first);
        backlog.done(tenant, first);
        assertThat(backlog.waiting(List.of(tenant)).get(tenant)).containsEntry(Priority.INTERACTIVE, 1L);
    }

    private static ToolTask task(String id, Priority priority) {
        return new ToolTask("run-1.s1." + id, "run-1", "conv-1", "calculator", 1, 0, 3, true, "math.eval",
                Map.of("expression", "1"), priority, false);
    }
}
