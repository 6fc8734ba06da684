package io.switchboard.platform.agents;

/**
 * One field of an agent's input.
 *
 * @param type  {@code string} or {@code array}
 * @param items the element type of an array ({@code string})
 */
public record InputField(
        String type,
        String items,
        boolean required,
        Integer minItems,
        Integer maxItems,
        Integer maxLength,
        String description) {
}
