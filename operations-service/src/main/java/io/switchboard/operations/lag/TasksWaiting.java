package io.switchboard.operations.lag;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.TaskBacklog;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The tool tasks waiting per tenant and priority class ({@link TaskBacklog}: planned, not yet
 * finished by a worker), as the gauge {@code switchboard_tasks_waiting{tenant, priority}}, for the
 * configured tenants.
 */
@Component
class TasksWaiting {

    private static final Logger LOG = LoggerFactory.getLogger(TasksWaiting.class);

    private final TaskBacklog backlog;
    private final PlatformProperties properties;
    private final MultiGauge gauge;

    TasksWaiting(TaskBacklog backlog, PlatformProperties properties, MeterRegistry meters) {
        this.backlog = backlog;
        this.properties = properties;
        this.gauge = MultiGauge.builder("switchboard.tasks.waiting").description("Tool tasks published and not yet finished")
                .register(meters);
    }

    @Scheduled(fixedDelayString = "${switchboard.metrics.lag-interval:15s}")
    void publish() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            backlog.waiting(properties.tenants().keySet()).forEach((tenant, byPriority) -> byPriority.forEach((priority, tasks) ->
                    rows.add(MultiGauge.Row.of(Tags.of("tenant", tenant, "priority", priority.wireName()), tasks))));
            gauge.register(rows, true);
        } catch (RuntimeException e) {
            LOG.warn("could not count the tasks waiting: {}", e.toString());
        }
    }
}
