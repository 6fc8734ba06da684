package io.switchboard.events.stream;

/** {@code step.completed}: every task of a step is in, with how many succeeded and failed. */
public record StepResult(int step, int succeeded, int failed) implements RunEvent {

    public static final String NAME = "step.completed";

    @Override
    public String eventName() {
        return NAME;
    }
}
