package io.switchboard.worker.retrieval;

import io.switchboard.store.RunSearch;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolMetadata;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code retrieval.search}: finds the tenant's past runs that match a query, best first, so a
 * model agent can ground its answer in what the tenant's runs were asked and answered before. Only
 * the calling tenant's runs, never the calling run itself.
 */
@Component
class RetrievalSearchTool implements Tool {

    private static final ToolMetadata METADATA = new ToolMetadata("retrieval.search", 1,
            "Searches this tenant's past runs (what they were asked, answered and read) and returns the best matches.",
            2, Duration.ofSeconds(5), false, 200);
    private static final int RESULTS = 5;
    private static final int ANSWER_CHARACTERS = 600;

    private final RunSearch search;

    RetrievalSearchTool(RunSearch search) {
        this.search = search;
    }

    @Override
    public String name() {
        return METADATA.name();
    }

    @Override
    public Map<String, Object> parameters() {
        return Tool.stringArguments(Map.of("query", "Words to look for in past runs; \"quoted phrases\" and -excluded words work"),
                Map.of());
    }

    @Override
    public ToolMetadata metadata() {
        return METADATA;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        String query = call.requiredText("query");
        List<Map<String, Object>> results = search.search(call.tenantId(), query, RESULTS, call.runId()).stream()
                .map(hit -> {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("runId", hit.run().runId());
                    result.put("agent", hit.run().agent());
                    result.put("createdAt", String.valueOf(hit.run().createdAt()));
                    result.put("matched", hit.matched());
                    result.put("snippet", hit.snippet());
                    if (hit.run().output() != null && hit.run().output().get("answer") instanceof String answer) {
                        result.put("answer", answer.length() <= ANSWER_CHARACTERS ? answer
                                : answer.substring(0, ANSWER_CHARACTERS) + "…");
                    }
                    return result;
                }).toList();
        return Map.of("query", query, "results", results);
    }
}
