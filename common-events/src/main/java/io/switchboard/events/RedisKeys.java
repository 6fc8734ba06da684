package io.switchboard.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Redis structures that cross service boundaries, named in one place beside the topics and
 * queues. Keys of a tenant's data start with {@code sb:<tenant>:}, so one tenant can never address
 * another's. Keys a single service keeps for itself stay with that service.
 */
public final class RedisKeys {

    /**
     * The platform-wide deadline index: a sorted set of {@code <tenant>/<runId>} scored by each
     * run's deadline in epoch milliseconds. The gateway adds accepted runs; whoever ends a run
     * removes it; the composer sweeps what is overdue.
     */
    public static final String RUN_DEADLINES = "sb:platform:run-deadlines";

    /**
     * The tools the workers run, as models are shown them: a hash of tool name to its
     * {@link ToolDescription} as JSON. Each worker writes its tools at start-up; the planner reads.
     */
    public static final String TOOL_CATALOG = "sb:platform:tools";

    /** Map keys sorted at every level, no whitespace: the same arguments always give the same text. */
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private RedisKeys() {
    }

    /** A run's event stream ({@link RunStream}): the services append, the gateway reads. */
    public static String runEvents(String tenantId, String runId) {
        return "sb:" + tenantId + ":run:" + runId + ":events";
    }

    /**
     * The outputs of a run's tool calls too large to travel in its events: a hash of task id to the
     * output as JSON. The worker writes; the composer, the planner and the store's writer read.
     */
    public static String runOutputs(String tenantId, String runId) {
        return "sb:" + tenantId + ":run:" + runId + ":outputs";
    }

    /**
     * A tenant's interactive runs in flight: a sorted set of {@code <tenant>/<runId>} (as in
     * {@link #RUN_DEADLINES}) scored by each run's deadline. The gateway adds a run as it accepts
     * it, whoever ends a run removes it, and a run past its deadline no longer counts. The gateway
     * judges the tenants' shares of the interactive lane by it.
     */
    public static String interactiveRunsInFlight(String tenantId) {
        return "sb:" + tenantId + ":runs-in-flight:interactive";
    }

    /**
     * The tool tasks of a tenant in one priority class that were published and have not finished:
     * a set of task ids. The planner adds, the worker removes, the operations service counts.
     */
    public static String tasksWaiting(String tenantId, Priority priority) {
        return "sb:" + tenantId + ":tasks-waiting:" + priority.wireName();
    }

    /** The source event ids a run's stream holds, so a redelivered event is appended once. */
    public static String runEventIds(String tenantId, String runId) {
        return "sb:" + tenantId + ":run:" + runId + ":event-ids";
    }

    /** Holds the name of the run's terminal event once it has one. */
    public static String runEnded(String tenantId, String runId) {
        return "sb:" + tenantId + ":run:" + runId + ":ended";
    }

    /** A tenant's token budget for one UTC day: a hash of {@code limit} and {@code used}. */
    public static String tokensPerDay(String tenantId, LocalDate day) {
        return "sb:" + tenantId + ":tokens:" + day;
    }

    /**
     * A tenant's model usage on one UTC day: a hash of {@code <model>:prompt} and
     * {@code <model>:completion} tokens. The worker counts, the gateway reads.
     */
    public static String modelUsagePerDay(String tenantId, LocalDate day) {
        return "sb:" + tenantId + ":model-usage:" + day;
    }

    /** A run's model usage, shaped like {@link #modelUsagePerDay}. */
    public static String modelUsagePerRun(String tenantId, String runId) {
        return "sb:" + tenantId + ":model-usage:run:" + runId;
    }

    /** The agents a tenant defined: a hash of name to the definition as JSON, with its version. */
    public static String tenantAgents(String tenantId) {
        return "sb:" + tenantId + ":agents";
    }

    /** The last version of each agent name a tenant defined: a hash of name to a counter. */
    public static String tenantAgentVersions(String tenantId) {
        return "sb:" + tenantId + ":agents:versions";
    }

    /** The MCP servers a tenant registered: a hash of name to a {@link TenantMcpServer} as JSON. */
    public static String tenantMcpServers(String tenantId) {
        return "sb:" + tenantId + ":mcp-servers";
    }

    /** A run's token budget: a hash of {@code limit}, {@code used} and each task's reservation. */
    public static String tokensPerRun(String tenantId, String runId) {
        return "sb:" + tenantId + ":tokens:run:" + runId;
    }

    /** A conversation's session state kept by the worker's tools: {@code part} is {@code facts}, {@code lock} or {@code fence}. */
    public static String session(String tenantId, String conversationId, String part) {
        return "sb:" + tenantId + ":session:" + conversationId + ":" + part;
    }

    /** What a conversation's earlier runs said, as the planner gives it to the next run's model (a list, and {@code :runs}). */
    public static String conversationMemory(String tenantId, String conversationId) {
        return "sb:" + tenantId + ":planner:conversation:" + conversationId;
    }

    /**
     * A deterministic tool's cached output for these arguments: {@code sb:<tenant>:tool-cache:<sha256
     * of name, version and the arguments as canonical JSON>}. The worker writes it; erasing a
     * conversation finds its runs' entries again from their calls.
     */
    public static String toolOutput(String tenantId, String tool, int version, Map<String, Object> args) {
        String call = tool + "\n" + version + "\n" + CANONICAL.writeValueAsString(args == null ? Map.of() : args);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(call.getBytes(StandardCharsets.UTF_8));
            return "sb:" + tenantId + ":tool-cache:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
