package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.tools.ToolCall;
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

    private static ToolCall call(String question) {
        return new ToolCall("acme", "c", "run-1", 1, "k", Map.of("text", TEXT, "question", question, "source", "http://docs/kafka"));
    }
}
