package io.switchboard.composer.composition;

import io.switchboard.events.ToolOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Turns the outcomes of a run's final step into the response its agent promises. */
final class ResponseComposer {

    private ResponseComposer() {
    }

    /**
     * @param outcomes       the final step's outcomes, in task order
     * @param earlierFailed  the tasks of earlier steps that failed, so a response can name what it lacks
     */
    static Map<String, Object> compose(String agent, List<ToolOutcome> outcomes, List<ToolOutcome> earlierFailed) {
        return switch (agent) {
            case "calculator" -> calculator(outcomes);
            case "research" -> research(outcomes, earlierFailed);
            case "notes" -> outcomes.getFirst().output();
            default -> Map.of("results", outcomes.stream().map(ResponseComposer::result).toList());
        };
    }

    /** Each expression with its value, or with the reason it has none. */
    private static Map<String, Object> calculator(List<ToolOutcome> outcomes) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (ToolOutcome outcome : outcomes) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("expression", outcome.args().get("expression"));
            if (outcome.succeeded()) {
                result.put("value", outcome.output().get("value"));
            } else {
                result.put("error", outcome.error());
            }
            results.add(result);
        }
        return Map.of("results", results);
    }

    /** A digest of the summaries, most relevant first, each with its source. */
    private static Map<String, Object> research(List<ToolOutcome> outcomes, List<ToolOutcome> earlierFailed) {
        List<ToolOutcome> summarized = outcomes.stream().filter(ToolOutcome::succeeded)
                .sorted((a, b) -> Integer.compare(relevance(b), relevance(a)))
                .toList();
        List<Map<String, Object>> sources = summarized.stream().map(outcome -> {
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("url", outcome.output().get("source"));
            source.put("summary", outcome.output().get("summary"));
            return source;
        }).toList();
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("question", summarized.isEmpty() ? null : summarized.getFirst().output().get("question"));
        output.put("digest", summarized.stream()
                .map(outcome -> outcome.output().get("summary") + " [" + outcome.output().get("source") + "]")
                .collect(Collectors.joining("\n")));
        output.put("sources", sources);
        List<Map<String, Object>> unavailable = Stream.concat(earlierFailed.stream(), outcomes.stream())
                .filter(outcome -> !outcome.succeeded())
                .map(outcome -> Map.<String, Object>of(
                        "url", Objects.toString(outcome.args().getOrDefault("url", outcome.args().get("source"))),
                        "error", outcome.error()))
                .toList();
        if (!unavailable.isEmpty()) {
            output.put("unavailable", unavailable);
        }
        return output;
    }

    private static int relevance(ToolOutcome outcome) {
        return outcome.output().get("relevance") instanceof Number number ? number.intValue() : 0;
    }

    private static Map<String, Object> result(ToolOutcome outcome) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tool", outcome.tool());
        result.put("status", outcome.succeeded() ? "succeeded" : "failed");
        result.put(outcome.succeeded() ? "output" : "error", outcome.succeeded() ? outcome.output() : outcome.error());
        return result;
    }
}
