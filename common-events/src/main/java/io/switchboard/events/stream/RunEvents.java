package io.switchboard.events.stream;

import io.switchboard.events.EventCodec;
import io.switchboard.events.UnsupportedEventException;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;

/**
 * The run stream's names and their records, and the JSON of each. The names are what SSE clients
 * see as {@code event:}; they carry no version, so the stream as a whole has one: within
 * {@link #VERSION}, changes are additive and unknown fields are ignored. JSON Schemas of every
 * event are published under {@code docs/run-stream/}.
 */
public final class RunEvents {

    public static final int VERSION = 1;

    private static final Map<String, Class<? extends RunEvent>> BY_NAME = Map.of(
            RunAccepted.NAME, RunAccepted.class,
            StepPlanned.NAME, StepPlanned.class,
            ToolResult.SUCCEEDED, ToolResult.class,
            ToolResult.FAILED, ToolResult.class,
            StepResult.NAME, StepResult.class,
            MessageDelta.NAME, MessageDelta.class,
            ModelCompleted.NAME, ModelCompleted.class,
            RunEnded.COMPLETED, RunEnded.class,
            RunEnded.FAILED, RunEnded.class,
            RunEnded.CANCELLED, RunEnded.class);

    private RunEvents() {
    }

    /** Every event name, in the order a run's stream can show them. */
    public static List<String> names() {
        return List.of(RunAccepted.NAME, StepPlanned.NAME, MessageDelta.NAME, ModelCompleted.NAME,
                ToolResult.SUCCEEDED, ToolResult.FAILED, StepResult.NAME,
                RunEnded.COMPLETED, RunEnded.FAILED, RunEnded.CANCELLED);
    }

    public static boolean isTerminal(String name) {
        return RunEnded.COMPLETED.equals(name) || RunEnded.FAILED.equals(name) || RunEnded.CANCELLED.equals(name);
    }

    public static String encode(RunEvent event) {
        return EventCodec.mapper().writeValueAsString(event);
    }

    /** Reads an entry; an unknown name or data that does not fit is refused, never guessed. */
    public static RunEvent decode(String name, String json) {
        Class<? extends RunEvent> type = name == null ? null : BY_NAME.get(name);
        if (type == null) {
            throw new UnsupportedEventException("unknown run-stream event '" + name + "'; this reader understands "
                    + names());
        }
        try {
            RunEvent event = EventCodec.mapper().readValue(json, type);
            if (!event.eventName().equals(name)) {
                throw new UnsupportedEventException("run-stream event '" + name + "' holds the data of '"
                        + event.eventName() + "'");
            }
            return event;
        } catch (JacksonException | IllegalArgumentException e) {
            throw new UnsupportedEventException("data is not a valid " + name + " event: " + e.getMessage(), e);
        }
    }
}
