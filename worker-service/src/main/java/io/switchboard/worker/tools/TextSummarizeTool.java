package io.switchboard.worker.tools;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.springframework.stereotype.Component;

/**
 * {@code text.summarize}: an extractive summary focused on a question. Sentences are scored by the
 * question's words they contain; up to three that score at least half the best are kept, in their
 * original order. With nothing relevant, the opening sentence stands. Deterministic.
 */
@Component
class TextSummarizeTool implements Tool {

    private static final int MAX_SENTENCES = 3;
    /** Shorter fragments are headings or captions, not sentences. */
    private static final int MIN_WORDS = 3;
    private static final Set<String> STOP_WORDS = Set.of("the", "and", "for", "are", "but", "not", "you", "all",
            "any", "can", "had", "her", "was", "one", "our", "out", "has", "his", "how", "its", "who", "what",
            "why", "does", "did", "this", "that", "with", "from", "they", "will", "would", "there", "their",
            "about", "which", "when", "where", "into", "than", "then", "them", "these", "those", "been", "were");

    @Override
    public String name() {
        return "text.summarize";
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        String text = call.requiredText("text");
        String question = call.text("question");
        List<String> sentences = Arrays.stream(text.split("(?<=[.!?])\\s+|\\n{2,}"))
                .map(String::strip).filter(s -> s.split("\\s+").length >= MIN_WORDS).toList();
        if (sentences.isEmpty()) {
            throw ToolFailure.permanent("there is no sentence to summarize");
        }
        Set<String> focus = words(question == null ? "" : question);
        int best = sentences.stream().mapToInt(s -> score(s, focus)).max().orElse(0);
        List<Integer> chosen = IntStream.range(0, sentences.size()).boxed()
                .filter(i -> best == 0 ? i == 0 : 2 * score(sentences.get(i), focus) >= best)
                .sorted(Comparator.comparingInt((Integer i) -> -score(sentences.get(i), focus)).thenComparingInt(i -> i))
                .limit(MAX_SENTENCES)
                .sorted()
                .toList();
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("source", call.text("source"));
        output.put("question", question);
        output.put("summary", chosen.stream().map(sentences::get).collect(Collectors.joining(" ")));
        output.put("relevance", chosen.stream().mapToInt(i -> score(sentences.get(i), focus)).sum());
        return output;
    }

    private static int score(String sentence, Set<String> focus) {
        return (int) words(sentence).stream().filter(focus::contains).count();
    }

    static Set<String> words(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .filter(word -> word.length() > 2 && !STOP_WORDS.contains(word))
                .collect(Collectors.toSet());
    }
}
