package io.switchboard.tools.builtin;

import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code text.summarize}: an extractive summary focused on a question. Sentences are scored by the
 * question's words they contain; up to three that score at least half the best are kept, in their
 * original order. With nothing relevant, the opening sentence stands. Deterministic.
 */
class TextSummarizeTool implements Tool {

    private static final ToolMetadata METADATA = new ToolMetadata("text.summarize", 1,
            "Summarizes a text around a question, extractively.", 2, Duration.ofSeconds(5), true, 600);

    private static final int MAX_SENTENCES = 3;
    /** Shorter fragments are headings or captions, not sentences. */
    private static final int MIN_WORDS = 3;
    /** Twice what {@code http.fetch} returns at its default size limit. */
    static final int MAX_TEXT = 500_000;
    static final int MAX_QUESTION = 2_000;

    @Override
    public String name() {
        return METADATA.name();
    }

    @Override
    public Map<String, Object> parameters() {
        return Tool.stringArguments(Map.of("text", "The text to summarize"),
                Map.of("question", "What the summary should answer", "source", "Where the text comes from, such as its URL"));
    }

    @Override
    public ToolMetadata metadata() {
        return METADATA;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        String text = call.requiredText("text");
        String question = call.text("question");
        if (text.length() > MAX_TEXT) {
            throw ToolFailure.permanent("the text has " + text.length() + " characters; text.summarize takes at most " + MAX_TEXT);
        }
        if (question != null && question.length() > MAX_QUESTION) {
            throw ToolFailure.permanent("the question has " + question.length() + " characters; text.summarize takes at most "
                    + MAX_QUESTION);
        }
        List<String> sentences = Arrays.stream(text.split("(?<=[.!?])\\s+|\\n{2,}"))
                .map(String::strip).filter(s -> s.split("\\s+").length >= MIN_WORDS).toList();
        if (sentences.isEmpty()) {
            throw ToolFailure.permanent("there is no sentence to summarize");
        }
        Set<String> focus = Words.of(question == null ? "" : question);
        int[] scores = sentences.stream().mapToInt(s -> score(s, focus)).toArray();
        int best = Arrays.stream(scores).max().orElse(0);
        List<Integer> chosen = IntStream.range(0, sentences.size()).boxed()
                .filter(i -> best == 0 ? i == 0 : 2 * scores[i] >= best)
                .sorted(Comparator.comparingInt((Integer i) -> -scores[i]).thenComparingInt(i -> i))
                .limit(MAX_SENTENCES)
                .sorted()
                .toList();
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("source", call.text("source"));
        output.put("question", question);
        output.put("summary", chosen.stream().map(sentences::get).collect(Collectors.joining(" ")));
        output.put("relevance", chosen.stream().mapToInt(i -> scores[i]).sum());
        return output;
    }

    private static int score(String sentence, Set<String> focus) {
        return (int) Words.of(sentence).stream().filter(focus::contains).count();
    }
}
