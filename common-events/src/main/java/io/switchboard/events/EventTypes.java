package io.switchboard.events;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every contract this platform speaks, by its versioned wire name (for example {@code agent.requested.v1}). */
public final class EventTypes {

    private static final List<Class<? extends Record>> ALL = List.of(
            AgentRequested.class, AgentPlanned.class, ToolTask.class,
            ToolCalled.class, StepCompleted.class, AgentCompleted.class);

    private static final Map<String, Class<? extends Record>> BY_NAME = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(EventTypes::typeName, Function.identity()));

    private EventTypes() {
    }

    /** The versioned wire name of a contract type, {@code <name>.v<version>}. */
    public static String typeName(Class<?> type) {
        EventType annotation = type.getAnnotation(EventType.class);
        if (annotation == null) {
            throw new IllegalArgumentException(type.getSimpleName() + " is not an event contract");
        }
        return annotation.name() + ".v" + annotation.version();
    }

    /** The contract type for a wire name; an unknown name or version is refused, never guessed. */
    public static Class<? extends Record> forName(String typeName) {
        Class<? extends Record> type = typeName == null ? null : BY_NAME.get(typeName);
        if (type == null) {
            throw new UnsupportedEventException("unsupported event type '" + typeName
                    + "'; this consumer understands " + BY_NAME.keySet().stream().sorted().toList());
        }
        return type;
    }

    public static List<Class<? extends Record>> all() {
        return ALL;
    }
}
