package io.switchboard.worker.models;

import io.switchboard.events.EventCodec;
import io.switchboard.tools.ToolFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of a model-call task ({@code model.chat}), as the planner writes them: the
 * provider, the conversation so far, the tools the model may ask for and the answer's length.
 *
 * @param provider  a key of {@code switchboard.models}
 * @param maxTokens the longest answer, in tokens; 1024 unless the task says
 */
public record ModelRequest(String provider, List<Message> messages, List<ToolSpec> tools, Integer maxTokens) {

    static final int DEFAULT_MAX_TOKENS = 1024;

    /**
     * One message of the conversation.
     *
     * @param role       {@code system}, {@code user}, {@code assistant} or {@code tool}
     * @param toolCalls  what an assistant message asked for, if anything
     * @param toolCallId for a tool message, the call it answers
     * @param tool       for a tool message, the platform name of the tool that answered
     */
    public record Message(String role, String content, List<ToolCallRequest> toolCalls, String toolCallId, String tool) {
    }

    /** A tool call an assistant message made, under the tool's platform name. */
    public record ToolCallRequest(String id, String tool, Map<String, Object> arguments) {
    }

    /** A tool the model may ask for: its platform name, what it does, and its arguments' JSON Schema. */
    public record ToolSpec(String name, String description, Map<String, Object> parameters) {
    }

    /** Reads a task's arguments; arguments that are not a model call fail the task for good. */
    static ModelRequest from(Map<String, Object> args) {
        try {
            ModelRequest request = EventCodec.mapper().convertValue(args == null ? Map.of() : args, ModelRequest.class);
            if (request.messages() == null || request.messages().isEmpty()) {
                throw ToolFailure.permanent("a model call needs at least one message");
            }
            return new ModelRequest(request.provider() == null ? "default" : request.provider(), request.messages(),
                    request.tools() == null ? List.of() : request.tools(),
                    request.maxTokens() != null && request.maxTokens() > 0 ? request.maxTokens() : DEFAULT_MAX_TOKENS);
        } catch (IllegalArgumentException | tools.jackson.core.JacksonException unreadable) {
            throw ToolFailure.permanent("the arguments are not a model call: " + unreadable.getMessage());
        }
    }

    /**
     * The tokens a model call reserves from the budgets before it is made: its {@code maxTokens} and
     * an estimate of the prompt (a token for every four characters).
     */
    public static long reservation(Map<String, Object> args) {
        try {
            return from(args).reservation();
        } catch (ToolFailure unreadable) {
            return 0;
        }
    }

    long reservation() {
        return maxTokens + promptEstimate();
    }

    /** A token for every four characters of the messages and the tools' descriptions and schemas. */
    long promptEstimate() {
        long chars = 0;
        for (Message message : messages) {
            chars += message.content() == null ? 0 : message.content().length();
            if (message.toolCalls() != null) {
                chars += message.toolCalls().stream().mapToLong(call -> json(call.arguments()).length()).sum();
            }
        }
        for (ToolSpec tool : tools) {
            chars += tool.name().length() + (tool.description() == null ? 0 : tool.description().length())
                    + json(tool.parameters()).length();
        }
        return (chars + 3) / 4;
    }

    /** The provider's name for each tool, and back to the platform's. */
    ToolNames toolNames() {
        Map<String, String> byProviderName = new LinkedHashMap<>();
        tools.forEach(tool -> byProviderName.put(ToolNames.providerName(tool.name()), tool.name()));
        return new ToolNames(byProviderName);
    }

    static String json(Object value) {
        return value == null ? "{}" : EventCodec.mapper().writeValueAsString(value);
    }

    /**
     * Tool names as providers accept them ({@code [A-Za-z0-9_-]{1,64}}): {@code math.eval} is
     * {@code math_eval}. Back to the platform's name through the task's own tools; a name the model
     * invented that maps to none is returned as given.
     */
    record ToolNames(Map<String, String> byProviderName) {

        static String providerName(String name) {
            String mapped = name.replaceAll("[^A-Za-z0-9_-]", "_");
            return mapped.length() > 64 ? mapped.substring(0, 64) : mapped;
        }

        String platformName(String providerName) {
            return byProviderName.getOrDefault(providerName, providerName);
        }

        List<String> providerNames() {
            return new ArrayList<>(byProviderName.keySet());
        }
    }
}
