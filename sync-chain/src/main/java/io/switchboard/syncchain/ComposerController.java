package io.switchboard.syncchain;

import io.switchboard.syncchain.Messages.Composition;
import io.switchboard.syncchain.Messages.CompositionRequest;
import io.switchboard.syncchain.Messages.Outcome;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The composer role: {@code POST /compose} turns a run's outcomes, in task order, into the
 * calculator's result as the platform's composer shapes it: {@code {"results": [{"expression",
 * "value"} or {"expression", "error"}, ...]}}. As on the platform, the run failed only if every task failed.
 */
@RestController
@ConditionalOnProperty(name = "chain.role", havingValue = "composer")
class ComposerController {

    @PostMapping("/compose")
    Composition compose(@RequestBody CompositionRequest request) {
        List<Outcome> outcomes = request.outcomes().stream().sorted(Comparator.comparingInt(Outcome::index)).toList();
        List<Map<String, Object>> results = outcomes.stream().map(ComposerController::result).toList();
        String status = outcomes.stream().anyMatch(Outcome::succeeded) ? "succeeded" : "failed";
        return new Composition(status, Map.of("results", results));
    }

    /** An expression with its value, or with the reason it has none. */
    private static Map<String, Object> result(Outcome outcome) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("expression", outcome.args().get("expression"));
        if (outcome.succeeded()) {
            result.put("value", outcome.output().get("value"));
        } else {
            result.put("error", outcome.error());
        }
        return result;
    }
}
