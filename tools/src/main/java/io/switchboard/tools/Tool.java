package io.switchboard.tools;

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
}
