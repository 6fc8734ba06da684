package io.switchboard.tools;

import java.util.List;
import java.util.Map;

/**
 * A tool a worker can run. A tool is added by putting a jar on the worker's classpath that makes it
 * a Spring bean (through an auto-configuration); the worker runs every {@code Tool} bean it finds.
 * Implementations throw {@link ToolFailure} for failures with a reason.
 */
public interface Tool {

    /** The name tasks call the tool by, such as {@code math.eval}; unique among a worker's tools. */
    String name();

    Map<String, Object> execute(ToolCall call);

    /**
     * What the platform needs to know to run the tool: attempts, timeout, tokens, whether its outputs
     * may be cached. A tool that does not say is tried once, for at most 10 s, costs no tokens and is
     * never cached.
     */
    default ToolMetadata metadata() {
        return ToolMetadata.defaultsFor(name());
    }

    /**
     * The JSON Schema of the tool's arguments, as a model is shown it: an object schema with its
     * properties and which are required. A model's call whose arguments do not fit it is not run.
     */
    default Map<String, Object> parameters() {
        return Map.of("type", "object");
    }

    /** An object schema of string arguments, {@code required} first, then the optional ones. */
    static Map<String, Object> stringArguments(Map<String, String> required, Map<String, String> optional) {
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        required.forEach((name, description) -> properties.put(name, Map.of("type", "string", "description", description)));
        optional.forEach((name, description) -> properties.put(name, Map.of("type", "string", "description", description)));
        return Map.of("type", "object", "properties", properties, "required", List.copyOf(required.keySet()));
    }
}
