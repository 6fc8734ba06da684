package io.switchboard.events;

import java.util.Map;

/**
 * A tool as a model is shown it, in the shared tool catalog ({@link RedisKeys#TOOL_CATALOG}) and,
 * read through from there, in Memcached.
 *
 * @param parameters the JSON Schema of its arguments
 */
public record ToolDescription(String name, int version, String description, Map<String, Object> parameters) {

    /** Where the names of the tools in the catalog are cached in Memcached. */
    public static final String NAMES_CACHE_KEY = "sb:tool-names:v1";

    /** Where a tool's description is cached in Memcached, read through from the catalog. */
    public static String cacheKey(String tool) {
        return "sb:tool-description:v1:" + tool;
    }
}
