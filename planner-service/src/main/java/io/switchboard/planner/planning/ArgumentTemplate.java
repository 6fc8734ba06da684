package io.switchboard.planner.planning;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a step's argument templates: {@code ${input.question}}, {@code ${item}},
 * {@code ${item.output.text}}. A template that is one placeholder keeps the value's type; a
 * placeholder inside text is replaced by the value's text. Arguments that resolve to nothing are left out.
 */
final class ArgumentTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");

    private ArgumentTemplate() {
    }

    static Map<String, Object> resolve(Map<String, String> templates, Map<String, Object> scope) {
        Map<String, Object> args = new LinkedHashMap<>();
        templates.forEach((name, template) -> {
            Object value = resolve(template, scope);
            if (value != null) {
                args.put(name, value);
            }
        });
        return args;
    }

    static Object resolve(String template, Map<String, Object> scope) {
        Matcher whole = PLACEHOLDER.matcher(template);
        if (whole.matches()) {
            return lookup(whole.group(1), scope);
        }
        return PLACEHOLDER.matcher(template).replaceAll(match -> {
            Object value = lookup(match.group(1), scope);
            return Matcher.quoteReplacement(value == null ? "" : value.toString());
        });
    }

    static Object lookup(String path, Map<String, Object> scope) {
        Object current = scope;
        for (String part : path.split("\\.")) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(part);
            } else if (current instanceof List<?> list && part.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(part) < list.size()) {
                current = list.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return current;
    }
}
