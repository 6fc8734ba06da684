package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextSummarizeToolTest {

    private final TextSummarizeTool tool = new TextSummarizeTool();

    private static final String TEXT = "Kafka is a distributed log. It was created at LinkedIn. "
            + "Kafka keeps events in order within a partition. Brokers replicate partitions. "
            + "Consumers in a group share the partitions of a topic.";

    @Test
    void keepsTheSentencesAboutTheQuestionInTheirOriginalOrder() {
        Map<String, Object> output = tool.execute(call("How does Kafka keep events in order?"));

        assertThat(output.get("summary")).isEqualTo("Kafka keeps events in order within a partition.");
        assertThat(output.get("source")).isEqualTo("http://docs/kafka");
        assertThat(output.get("relevance")).isEqualTo(3);
    }

    @Test
    void withNothingRelevantItKeepsTheOpeningSentence() {
        assertThat(tool.execute(call("What about zebras?")).get("summary")).isEqualTo("Kafka is a distributed log.");
    }

    @Test
    void keepsEverySentenceThatIsNearlyAsRelevantAsTheBest() {
        Map<String, Object> output = tool.execute(call("What do Kafka brokers replicate?"));

        assertThat(output.get("summary")).isEqualTo("Kafka is a distributed log. "
                + "Kafka keeps events in order within a partition. Brokers replicate partitions.");
    }

    @Test
    void aTextOrQuestionPastItsLimitFailsForGoodAndOneAtTheLimitIsSummarized() {
        String page = "Kafka keeps events in order. ".repeat(TextSummarizeTool.MAX_TEXT / 29);

        assertThat(tool.execute(call(page, "order")).get("summary"))
                .isEqualTo("Kafka keeps events in order. Kafka keeps events in order. Kafka keeps events in order.");
        assertThatThrownBy(() -> tool.execute(call(page + "x".repeat(29), "order")))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isFalse())
                .hasMessage("the text has " + (page.length() + 29) + " characters; text.summarize takes at most 500000");
        assertThatThrownBy(() -> tool.execute(call(TEXT, "why ".repeat(501))))
                .hasMessage("the question has 2004 characters; text.summarize takes at most 2000");
    }

    private static ToolCall call(String text, String question) {
        return new ToolCall("acme", "c", "run-1", 1, "k", Map.of("text", text, "question", question, "source", "http://docs/kafka"));
    }

    private static ToolCall call(String question) {
        return new ToolCall("acme", "c", "run-1", 1, "k", Map.of("text", TEXT, "question", question, "source", "http://docs/kafka"));
    }
}
