package io.switchboard.gateway.runs;

import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.InputField;
import io.switchboard.platform.web.Problems.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks a run's input against its agent's declared input shape. */
final class InputValidator {

    private InputValidator() {
    }

    /** The problems with {@code input}, one message per field; empty when the input fits. */
    static List<FieldError> validate(AgentDefinition agent, Map<String, Object> input) {
        List<FieldError> errors = new ArrayList<>();
        agent.input().forEach((name, field) -> {
            Object value = input.get(name);
            String path = "input." + name;
            if (value == null) {
                if (field.required()) {
                    errors.add(new FieldError(path, "is required"));
                }
                return;
            }
            switch (field.type()) {
                case "string" -> checkString(path, field, value, errors);
                case "array" -> checkArray(path, field, value, errors);
                default -> errors.add(new FieldError(path, "has an unsupported declared type " + field.type()));
            }
        });
        input.keySet().stream()
                .filter(name -> !agent.input().containsKey(name))
                .forEach(name -> errors.add(new FieldError("input." + name, "is not an input of agent " + agent.name())));
        if (!agent.requireOneOf().isEmpty() && agent.requireOneOf().stream().noneMatch(input::containsKey)) {
            errors.add(new FieldError("input", "needs one of " + agent.requireOneOf()));
        }
        return errors;
    }

    private static void checkString(String path, InputField field, Object value, List<FieldError> errors) {
        if (!(value instanceof String text) || text.isBlank()) {
            errors.add(new FieldError(path, "must be a non-empty string"));
        } else if (field.maxLength() != null && text.length() > field.maxLength()) {
            errors.add(new FieldError(path, "must be at most " + field.maxLength() + " characters"));
        }
    }

    private static void checkArray(String path, InputField field, Object value, List<FieldError> errors) {
        if (!(value instanceof List<?> items)) {
            errors.add(new FieldError(path, "must be an array"));
            return;
        }
        if (field.minItems() != null && items.size() < field.minItems()) {
            errors.add(new FieldError(path, "must have at least " + field.minItems() + " item(s)"));
        }
        if (field.maxItems() != null && items.size() > field.maxItems()) {
            errors.add(new FieldError(path, "must have at most " + field.maxItems() + " items"));
        }
        for (int i = 0; i < items.size(); i++) {
            if ("string".equals(field.items())) {
                checkString(path + "[" + i + "]", field, items.get(i), errors);
            }
        }
    }
}
