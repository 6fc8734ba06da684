package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MathEvalToolTest {

    private final MathEvalTool tool = new MathEvalTool();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2+2 | 4",
            "sqrt(16)*3 | 12",
            "2^10 - 24 | 1000",
            "7/2 | 3.5",
            "-(3 - 5) * 2 | 4"})
    void evaluates(String expression, String expected) {
        assertThat(eval(expression).get("value").toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "2+ | cannot evaluate '2+'",
            "foo(3) | cannot evaluate 'foo(3)'",
            "1/0 | cannot evaluate '1/0'",
            "sqrt(-1) | 'sqrt(-1)' does not evaluate to a finite number"})
    void aBadExpressionFailsForGoodWithTheReason(String expression, String reason) {
        assertThatThrownBy(() -> eval(expression))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isFalse())
                .hasMessageContaining(reason);
    }

    @Test
    void anExpressionLongerThanAnyArithmeticFailsForGoodBeforeItIsParsed() {
        String expression = "(".repeat(600) + "1" + ")".repeat(600);

        assertThatThrownBy(() -> eval(expression))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isFalse())
                .hasMessage("the expression has 1201 characters; math.eval takes at most 1000");
        assertThat(eval("1+".repeat(499) + "1").get("value")).isEqualTo(500L);
    }

    @Test
    void anExpressionIsRequired() {
        assertThatThrownBy(() -> tool.execute(new ToolCall("acme", "c", "run-1", 1, "k", Map.of())))
                .hasMessage("argument 'expression' is required");
    }

    private Map<String, Object> eval(String expression) {
        return tool.execute(new ToolCall("acme", "c", "run-1", 1, "k", Map.of("expression", expression)));
    }
}
