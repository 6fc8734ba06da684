package io.switchboard.events.stream;

/**
 * {@code message.delta}: the next piece of a model's answer as it is written, coalesced (several
 * tokens at a time, never one event per token). The pieces of a step's latest attempt, in order,
 * are its answer: a piece of a later attempt means the call failed part-way and is being made
 * again, and what the earlier attempt wrote is void.
 *
 * @param attempt which try of the step's model call wrote it, from 1
 */
public record MessageDelta(int step, int attempt, String text) implements RunEvent {

    public static final String NAME = "message.delta";

    @Override
    public String eventName() {
        return NAME;
    }
}
