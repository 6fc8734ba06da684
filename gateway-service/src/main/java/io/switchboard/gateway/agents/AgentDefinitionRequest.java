package io.switchboard.gateway.agents;

import io.switchboard.platform.PlatformProperties.TenantAgentLimits;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.web.Problems.FieldError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.springframework.boot.convert.DurationStyle;

/**
 * An agent definition as {@code PUT /v1/agents/{name}} takes it: the fields of a model agent in the
 * platform's catalog, each checked against what is configured here and the platform's caps, every
 * fault named. An agent defined this way is a model agent that takes {@code {"message": "..."}}.
 */
final class AgentDefinitionRequest {

    static final Set<String> FIELDS = Set.of("description", "model", "instructions", "prompt", "tools", "maxSteps",
            "maxTasks", "maxFanOut", "tokens", "maxOutputTokens", "toolResultLimit", "memoryTokens", "deadline");
    private static final int MAX_TOOLS = 32;
    private static final Pattern PROMPT = Pattern.compile("[A-Za-z0-9._-]{1,64}(@[0-9]{1,6})?");

    /**
     * What a definition is checked against.
     *
     * @param providers the model providers configured here
     * @param tools     the tools the workers published
     * @param prompts   whether the platform's catalog has a prompt template
     */
    record Checks(TenantAgentLimits limits, Set<String> providers, Set<String> tools, Predicate<String> prompts) {
    }

    private AgentDefinitionRequest() {
    }

    /** The definition, or null with {@code errors} saying why not. */
    static AgentDefinition parse(String name, Map<String, Object> body, Checks checks, List<FieldError> errors) {
        TenantAgentLimits limits = checks.limits();
        body.keySet().stream().filter(field -> !FIELDS.contains(field)).sorted().forEach(field -> errors.add(new FieldError(field,
                field.equals("input") || field.equals("steps")
                        ? "cannot be set: an agent defined through the API is a model agent that takes {\"message\": \"...\"}"
                        : "is not a field of an agent definition; the fields are " + FIELDS.stream().sorted().toList())));
        String description = text(body, "description", 500, errors);
        String model = text(body, "model", 64, errors);
        if (body.get("model") == null) {
            errors.add(new FieldError("model", "is required: the name of a model provider, e.g. \"default\""));
        } else if (model != null && !checks.providers().contains(model)) {
            errors.add(new FieldError("model", "names no model provider configured here; configured: "
                    + checks.providers().stream().sorted().toList()));
        }
        String instructions = text(body, "instructions", limits.instructions(), errors);
        String prompt = text(body, "prompt", 128, errors);
        if (body.get("instructions") == null && body.get("prompt") == null) {
            errors.add(new FieldError("instructions", "is required, or a prompt template as prompt"));
        } else if (instructions != null && prompt != null) {
            errors.add(new FieldError("prompt", "cannot be given with instructions: the system prompt is one or the other"));
        } else if (prompt != null && (!PROMPT.matcher(prompt).matches() || !checks.prompts().test(prompt))) {
            errors.add(new FieldError("prompt", "names no prompt template of the platform's catalog"));
        }
        List<String> tools = tools(body, checks.tools(), errors);
        // Absent, a field takes the catalog's default, or the platform's cap if that is lower.
        int maxSteps = whole(body, "maxSteps", limits.maxSteps(), 8, errors);
        int maxTasks = whole(body, "maxTasks", limits.maxTasks(), limits.maxTasks(), errors);
        int maxFanOut = whole(body, "maxFanOut", limits.maxFanOut(), limits.maxFanOut(), errors);
        int maxOutputTokens = whole(body, "maxOutputTokens", limits.maxOutputTokens(), 1024, errors);
        int toolResultLimit = whole(body, "toolResultLimit", limits.toolResultLimit(), 4000, errors);
        int memoryTokens = whole(body, "memoryTokens", limits.memoryTokens(), 2000, errors);
        long tokens = whole(body, "tokens", limits.tokens(), Math.min(limits.tokens(), (long) maxSteps * maxOutputTokens), errors);
        Duration deadline = deadline(body, limits.deadline(), errors);
        if (!errors.isEmpty()) {
            return null;
        }
        return new AgentDefinition(name, description, deadline, maxFanOut, maxTasks, tokens, null, null, null, model,
                instructions, prompt, tools, maxSteps, maxOutputTokens, toolResultLimit, memoryTokens, true);
    }

    private static String text(Map<String, Object> body, String field, int maxLength, List<FieldError> errors) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || text.isBlank()) {
            errors.add(new FieldError(field, "must be a non-empty string"));
            return null;
        }
        if (text.length() > maxLength) {
            errors.add(new FieldError(field, "must be at most " + maxLength + " characters"));
            return null;
        }
        return text;
    }

    /**
     * Tools the workers published, or {@code mcp:<server>/*} for every tool of an MCP server whose
     * tools were published.
     */
    private static List<String> tools(Map<String, Object> body, Set<String> published, List<FieldError> errors) {
        Object value = body.get("tools");
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || list.size() > MAX_TOOLS) {
            errors.add(new FieldError("tools", "must be a list of at most " + MAX_TOOLS + " tool names"));
            return List.of();
        }
        Set<String> tools = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String tool) || !known(tool, published)) {
                errors.add(new FieldError("tools[" + i + "]", "is no tool the workers offer; GET /v1/tools lists them"));
                continue;
            }
            tools.add(tool);
        }
        return new ArrayList<>(tools);
    }

    private static boolean known(String tool, Set<String> published) {
        if (tool.startsWith("mcp:") && tool.endsWith("/*")) {
            String server = tool.substring(0, tool.length() - 1);
            return published.stream().anyMatch(name -> name.startsWith(server));
        }
        return published.contains(tool);
    }

    private static int whole(Map<String, Object> body, String field, int max, int absent, List<FieldError> errors) {
        return (int) whole(body, field, (long) max, absent, errors);
    }

    private static long whole(Map<String, Object> body, String field, long max, long absent, List<FieldError> errors) {
        Object value = body.get(field);
        if (value == null) {
            return Math.min(absent, max);
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1
                || ((Number) value).longValue() > max) {
            errors.add(new FieldError(field, "must be a whole number from 1 to " + max));
            return absent;
        }
        return ((Number) value).longValue();
    }

    /** Seconds as a number, or a duration as text ({@code "90s"}, {@code "2m"}, {@code "PT2M"}). */
    private static Duration deadline(Map<String, Object> body, Duration max, List<FieldError> errors) {
        Object value = body.get("deadline");
        if (value == null) {
            return AgentDefinition.DEFAULT_DEADLINE.compareTo(max) <= 0 ? AgentDefinition.DEFAULT_DEADLINE : max;
        }
        Duration deadline = null;
        try {
            if (value instanceof Integer || value instanceof Long) {
                deadline = Duration.ofSeconds(((Number) value).longValue());
            } else if (value instanceof String text) {
                deadline = DurationStyle.detectAndParse(text);
            }
        } catch (IllegalArgumentException unreadable) {
            deadline = null;
        }
        if (deadline == null || deadline.compareTo(Duration.ofSeconds(1)) < 0 || deadline.compareTo(max) > 0) {
            errors.add(new FieldError("deadline", "must be seconds or a duration (\"90s\", \"PT2M\") from 1 s to " + max.toSeconds() + " s"));
            return max;
        }
        return deadline;
    }
}
