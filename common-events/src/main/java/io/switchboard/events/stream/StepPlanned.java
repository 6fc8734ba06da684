package io.switchboard.events.stream;

import io.switchboard.events.PlannedTask;
import java.util.List;

/** {@code step.planned}: a step's tasks are enqueued. */
public record StepPlanned(int step, String name, List<PlannedTask> tasks) implements RunEvent {

    public static final String NAME = "step.planned";

    @Override
    public String eventName() {
        return NAME;
    }
}
