package io.switchboard.events;

import java.util.Map;

/**
 * A tool as a model is shown it, in the shared tool catalog ({@link RedisKeys#TOOL_CATALOG}).
 *
 * @param parameters the JSON Schema of its arguments
 */
public record ToolDescription(String name, int version, String description, Map<String, Object> parameters) {
}
