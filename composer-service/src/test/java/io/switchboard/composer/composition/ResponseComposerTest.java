package io.switchboard.composer.composition;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseComposerTest {

    @Test
    void calculatorListsEachExpressionWithItsValueOrItsError() {
        List<ToolOutcome> outcomes = List.of(
                outcome(0, "math.eval", Map.of("expression", "2+2"), Map.of("value", 4), null),
                outcome(1, "math.eval", Map.of("expression", "2+"), null, "cannot evaluate '2+'"));

        Map<String, Object> output = ResponseComposer.compose("calculator", outcomes, List.of());

        assertThat(output).isEqualTo(Map.of("results", List.of(
                Map.of("expression", "2+2", "value", 4),
                Map.of("expression", "2+", "error", "cannot evaluate '2+'"))));
    }

    @Test
    void researchDigestsTheMostRelevantSummaryFirstAndNamesWhatItCouldNotRead() {
        List<ToolOutcome> summaries = List.of(
                outcome(0, "text.summarize", Map.of("source", "http://a/1"),
                        Map.of("source", "http://a/1", "question", "q", "summary", "Less.", "relevance", 1), null),
                outcome(1, "text.summarize", Map.of("source", "http://a/2"),
                        Map.of("source", "http://a/2", "question", "q", "summary", "More.", "relevance", 3), null));
        List<ToolOutcome> failedFetches = List.of(
                outcome(2, "http.fetch", Map.of("url", "http://a/3"), null, "GET http://a/3 answered 404"));

        Map<String, Object> output = ResponseComposer.compose("research", summaries, failedFetches);

        assertThat(output.get("digest")).isEqualTo("More. [http://a/2]\nLess. [http://a/1]");
        assertThat(output.get("sources")).isEqualTo(List.of(
                Map.of("url", "http://a/2", "summary", "More."), Map.of("url", "http://a/1", "summary", "Less.")));
        assertThat(output.get("unavailable")).isEqualTo(List.of(
                Map.of("url", "http://a/3", "error", "GET http://a/3 answered 404")));
    }

    @Test
    void notesAnswersWithWhatTheToolFound() {
        Map<String, Object> found = Map.of("recall", "port", "facts", List.of("db on port 5433"));

        assertThat(ResponseComposer.compose("notes", List.of(outcome(0, "session.notes", Map.of(), found, null)), List.of()))
                .isEqualTo(found);
    }

    private static ToolOutcome outcome(int index, String tool, Map<String, Object> args, Map<String, Object> output,
                                       String error) {
        return new ToolOutcome("run.s1.t" + index, tool, index, args,
                error == null ? ToolStatus.SUCCEEDED : ToolStatus.FAILED, output, error, 1, 2, false);
    }
}
