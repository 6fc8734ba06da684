package io.switchboard.worker.tools.mcp;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tool of an MCP server, {@code mcp:<server>/<tool>}: its arguments go to {@code tools/call} as they
 * are, and its text content comes back as {@code {"content": "..."}} (with the server's structured
 * content, if any). A result the server marks as an error, or a call it refuses, fails for good; a
 * server that is down, slow or gone fails the call as an outage that may pass, so it is retried.
 * {@code registered} is the tenant's registration for a server a tenant registered, null for the platform's.
 */
record McpTool(McpServers servers, McpServers.Registered registered, String server, String tool, String description,
               Map<String, Object> inputSchema, Duration timeout) implements Tool {

    @Override
    public String name() {
        return McpServers.PREFIX + server + "/" + tool;
    }

    @Override
    public ToolMetadata metadata() {
        return McpServers.metadata(name(), description, timeout);
    }

    @Override
    public Map<String, Object> parameters() {
        return inputSchema == null ? Map.of("type", "object") : inputSchema;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        McpSchema.CallToolResult result;
        try {
            result = servers.call(registered, server, tool, call.args());
        } catch (ToolFailure refused) {
            throw refused;
        } catch (McpError refused) {
            throw ToolFailure.permanent("MCP server '" + server + "' refused " + tool + ": " + refused.getMessage());
        } catch (RuntimeException unreachable) {
            throw ToolFailure.transientFailure("MCP server '" + server + "' could not be reached: " + unreachable, unreachable);
        }
        String text = text(result.content());
        if (Boolean.TRUE.equals(result.isError())) {
            throw ToolFailure.permanent("MCP server '" + server + "' answered " + tool + " with an error: " + text);
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("content", text);
        if (result.structuredContent() != null) {
            output.put("structuredContent", result.structuredContent());
        }
        return output;
    }

    /** The text of each text part; other parts by their type, as a model would be told of them. */
    private static String text(List<McpSchema.Content> content) {
        List<String> parts = new ArrayList<>();
        for (McpSchema.Content part : content == null ? List.<McpSchema.Content>of() : content) {
            parts.add(part instanceof McpSchema.TextContent text ? text.text() : "[" + part.type() + " content]");
        }
        return String.join("\n", parts);
    }
}
