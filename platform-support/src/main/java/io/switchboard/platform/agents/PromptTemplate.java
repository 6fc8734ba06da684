package io.switchboard.platform.agents;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named, versioned system prompt for model agents, kept in the catalog beside the agents. An
 * agent names one as {@code prompt: <name>@<version>} (or {@code <name>} for its highest
 * version); the text may use {@code ${input.<field>}}, filled from the run's input.
 */
public record PromptTemplate(String name, int version, String template) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{input\\.([A-Za-z0-9_]+)}");

    /** The template with each {@code ${input.<field>}} replaced by that field's text, or nothing. */
    public String render(Map<String, Object> input) {
        return PLACEHOLDER.matcher(template).replaceAll(match -> {
            Object value = input.get(match.group(1));
            return Matcher.quoteReplacement(value == null ? "" : value.toString());
        });
    }
}
