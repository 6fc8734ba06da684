package io.switchboard.events.stream;

/**
 * An entry of a run's event stream: the public contract that SSE clients and
 * {@code GET /v1/runs/{id}} read. Each entry is stored and sent as its event name (the SSE
 * {@code event:} field) and its record as JSON (the {@code data:} field). Like the Kafka
 * contracts, changes within {@link RunEvents#VERSION} are additive and readers ignore unknown
 * fields.
 */
public sealed interface RunEvent permits RunAccepted, StepPlanned, MessageDelta, ModelCompleted, ToolResult, StepResult,
        RunEnded {

    /** The name on the stream, such as {@code run.accepted}. */
    String eventName();

    /** True for the one event that ends a run; nothing follows it. */
    default boolean terminal() {
        return false;
    }
}
