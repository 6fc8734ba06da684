package io.switchboard.worker.tools;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import net.objecthunter.exp4j.Expression;
import net.objecthunter.exp4j.ExpressionBuilder;
import org.springframework.stereotype.Component;

/** {@code math.eval}: evaluates an arithmetic expression (exp4j: + - * / ^ %, sqrt, sin, log, ...). */
@Component
public class MathEvalTool implements Tool {

    public MathEvalTool() {
    }

    @Override
    public String name() {
        return "math.eval";
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        String expression = call.requiredText("expression");
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
