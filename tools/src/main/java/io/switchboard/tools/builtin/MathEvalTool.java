package io.switchboard.tools.builtin;

import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import net.objecthunter.exp4j.Expression;
import net.objecthunter.exp4j.ExpressionBuilder;

/** {@code math.eval}: evaluates an arithmetic expression (exp4j: + - * / ^ %, sqrt, sin, log, ...). */
public class MathEvalTool implements Tool {

    private static final ToolMetadata METADATA = new ToolMetadata("math.eval", 1,
            "Evaluates an arithmetic expression.", 1, Duration.ofSeconds(2), true, 10);
    /** Far more than any arithmetic a task needs; a longer input is not an expression to evaluate. */
    static final int MAX_LENGTH = 1_000;

    public MathEvalTool() {
    }

    @Override
    public String name() {
        return METADATA.name();
    }

    @Override
    public Map<String, Object> parameters() {
        return Tool.stringArguments(Map.of("expression", "An arithmetic expression such as 2+2 or sqrt(16)*3"), Map.of());
    }

    @Override
    public ToolMetadata metadata() {
        return METADATA;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        String expression = call.requiredText("expression");
        if (expression.length() > MAX_LENGTH) {
            throw ToolFailure.permanent("the expression has " + expression.length() + " characters; math.eval takes at most " + MAX_LENGTH);
        }
        double value;
        try {
            Expression parsed = new ExpressionBuilder(expression).build();
            value = parsed.evaluate();
        } catch (IllegalArgumentException | ArithmeticException | java.util.EmptyStackException e) {
            throw ToolFailure.permanent("cannot evaluate '" + expression + "': " + reason(e));
        }
        if (!Double.isFinite(value)) {
            throw ToolFailure.permanent("'" + expression + "' does not evaluate to a finite number");
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("expression", expression);
        output.put("value", number(value));
        return output;
    }

    /** Whole results print as integers (4, not 4.0). */
    static Number number(double value) {
        BigDecimal exact = BigDecimal.valueOf(value).stripTrailingZeros();
        if (exact.scale() <= 0 && Math.abs(value) < 1e15) {
            return exact.longValueExact();
        }
        return value;
    }

    private static String reason(RuntimeException e) {
        return e.getMessage() == null ? "the expression is incomplete" : e.getMessage();
    }
}
