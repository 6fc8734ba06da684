package io.switchboard.events.stream;

/**
 * {@code message.delta}: the next piece of a model's answer as it is written, coalesced (several
 * tokens at a time, never one event per token). The pieces of a step, in order, are its answer.
 */
public record MessageDelta(int step, String text) implements RunEvent {

    public static final String NAME = "message.delta";

    @Override
    public String eventName() {
        return NAME;
    }
}
