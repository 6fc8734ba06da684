package io.switchboard.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's runs found by what they said: full text (PostgreSQL, ranked by cover density) and,
 * where the service embeds, meaning ({@link SemanticIndex}), the two rankings fused by reciprocal
 * rank (each list gives a run {@code 1 / (60 + rank)}). A run both find comes first.
 */
public class RunSearch {

    private static final Logger LOG = LoggerFactory.getLogger(RunSearch.class);
    private static final int CANDIDATES = 50;
    private static final int RRF_K = 60;
    private static final int SNIPPET_CHARACTERS = 200;

    private final RunStore store;
    private final SemanticIndex meaning;

    /** @param meaning null where the service does not embed: full text only */
    public RunSearch(RunStore store, SemanticIndex meaning) {
        this.store = store;
        this.meaning = meaning;
    }

    /**
     * One run found: its fused score, the field it matched ({@code input}, {@code answer} or
     * {@code toolOutput}), a snippet of that field ({@code <mark>}ed words where the keywords
     * found it) and which rankings found it ({@code keywords}, {@code meaning}).
     */
    public record Hit(StoredRun run, double score, String matched, String snippet, List<String> foundBy) {
    }

    /** The runs nearest in meaning; none, with a warning, if the model fails: the keywords still answer. */
    private List<SemanticIndex.Nearest> nearest(String tenant, String query, String excludeRunId) {
        try {
            return meaning.nearest(tenant, query, CANDIDATES, excludeRunId);
        } catch (RuntimeException e) {
            LOG.warn("search by meaning failed, answering by keywords only", e);
            return List.of();
        }
    }

    public List<Hit> search(String tenant, String query, int limit, String excludeRunId) {
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, List<String>> foundBy = new LinkedHashMap<>();
        List<RunStore.Ranked> words = store.rank(tenant, query, CANDIDATES, excludeRunId);
        Map<String, RunStore.Ranked> byWords = new LinkedHashMap<>();
        for (int rank = 0; rank < words.size(); rank++) {
            String runId = words.get(rank).runId();
            byWords.put(runId, words.get(rank));
            scores.merge(runId, 1.0 / (RRF_K + rank + 1), Double::sum);
            foundBy.computeIfAbsent(runId, id -> new ArrayList<>()).add("keywords");
        }
        if (meaning != null) {
            List<SemanticIndex.Nearest> near = nearest(tenant, query, excludeRunId);
            for (int rank = 0; rank < near.size(); rank++) {
                String runId = near.get(rank).runId();
                scores.merge(runId, 1.0 / (RRF_K + rank + 1), Double::sum);
                foundBy.computeIfAbsent(runId, id -> new ArrayList<>()).add("meaning");
            }
        }
        List<String> best = scores.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .limit(limit).map(Map.Entry::getKey).toList();
        Map<String, RunStore.Hit> matched = new LinkedHashMap<>();
        store.hits(tenant, query, best.stream().filter(byWords::containsKey).map(byWords::get).toList())
                .forEach(hit -> matched.put(hit.run().runId(), hit));
        Map<String, StoredRun> others = new LinkedHashMap<>();
        store.runs(tenant, best.stream().filter(id -> !byWords.containsKey(id)).toList())
                .forEach(run -> others.put(run.runId(), run));
        List<Hit> hits = new ArrayList<>();
        for (String runId : best) { // a run removed since it was found is left out
            RunStore.Hit word = matched.get(runId);
            if (word != null) {
                hits.add(new Hit(word.run(), scores.get(runId), word.field(), word.snippet(), foundBy.get(runId)));
            } else if (others.containsKey(runId)) {
                StoredRun run = others.get(runId);
                boolean answered = run.output() != null && run.output().get("answer") instanceof String;
                String text = String.valueOf(answered ? run.output().get("answer")
                        : run.input() != null && run.input().get("message") instanceof String message ? message : run.input());
                hits.add(new Hit(run, scores.get(runId), answered ? "answer" : "input",
                        text.length() <= SNIPPET_CHARACTERS ? text : text.substring(0, SNIPPET_CHARACTERS) + "…",
                        foundBy.get(runId)));
            }
        }
        return hits;
    }
}
