package io.switchboard.platform.agents;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One field of an agent's input.
 *
 * @param type  {@code string} or {@code array}
 * @param items the element type of an array ({@code string})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InputField(
        String type,
        String items,
        boolean required,
        Integer minItems,
        Integer maxItems,
        Integer maxLength,
        String description) {
}
