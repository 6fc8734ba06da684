package io.switchboard.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class GoldenFixturesTest {

    static Iterable<Class<? extends Record>> contracts() {
        return EventTypes.all();
    }

    @ParameterizedTest
    @MethodSource("contracts")
    void everyContractReadsItsFixtureAndWritesItBackUnchanged(Class<? extends Record> type) throws IOException {
        byte[] fixture = fixture(EventTypes.typeName(type));

        Object event = EventCodec.decode(EventTypes.typeName(type), fixture);

        assertThat(event).isInstanceOf(type);
        assertThat(tree(EventCodec.encode(event))).isEqualTo(tree(fixture));
    }

    @ParameterizedTest
    @MethodSource("contracts")
    void unknownFieldsAreIgnored(Class<? extends Record> type) throws IOException {
        byte[] fixture = fixture(EventTypes.typeName(type));
        ObjectNode extended = (ObjectNode) tree(fixture);
        extended.put("addedInALaterMinorRevision", "ignored");

        Object event = EventCodec.decode(EventTypes.typeName(type), EventCodec.mapper().writeValueAsBytes(extended));

        assertThat(tree(EventCodec.encode(event))).isEqualTo(tree(fixture));
    }

    @Test
    void wireNamesCarryTheVersionNotTheClassName() {
        assertThat(EventTypes.all()).extracting(EventTypes::typeName).containsExactly(
                "agent.requested.v1", "agent.planned.v1", "tool.task.v1",
                "agent.tool_called.v1", "agent.step_completed.v1", "agent.completed.v1");
    }

    @Test
    void aToolOutcomeFromBeforeCachedWasAddedReadsAsNotCached() throws IOException {
        ObjectNode earlier = (ObjectNode) tree(fixture("agent.tool_called.v1"));
        ((ObjectNode) earlier.get("outcome")).remove("cached");

        ToolCalled called = EventCodec.decode(ToolCalled.class, EventCodec.mapper().writeValueAsBytes(earlier));

        assertThat(called.outcome().cached()).isFalse();
        assertThat(called.outcome().durationMs()).isEqualTo(3);
    }

    @Test
    void aTaskFromBeforeLanesWereAddedTakesTheLaneOfItsPriority() throws IOException {
        ObjectNode earlier = (ObjectNode) tree(fixture("tool.task.v1"));
        earlier.remove("lane");
        earlier.put("priority", "background");

        ToolTask task = EventCodec.decode(ToolTask.class, EventCodec.mapper().writeValueAsBytes(earlier));

        assertThat(task.lane()).isEqualTo(Priority.BACKGROUND);
    }

    @Test
    void anUnknownVersionIsRefusedWithTheReason() throws IOException {
        byte[] fixture = fixture("agent.requested.v1");

        assertThatThrownBy(() -> EventCodec.decode("agent.requested.v2", fixture))
                .isInstanceOf(UnsupportedEventException.class)
                .hasMessageContaining("unsupported event type 'agent.requested.v2'");
    }

    @Test
    void aPayloadOfTheWrongShapeIsRefusedWithTheReason() {
        byte[] wrongTypes = "{\"runId\": \"r\", \"step\": \"one\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> EventCodec.decode("agent.planned.v1", wrongTypes))
                .isInstanceOf(UnsupportedEventException.class)
                .hasMessageContaining("payload is not a valid agent.planned.v1");
        assertThatThrownBy(() -> EventCodec.decode("agent.planned.v1", "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UnsupportedEventException.class);
    }

    static byte[] fixture(String typeName) throws IOException {
        try (InputStream in = GoldenFixturesTest.class.getResourceAsStream("/fixtures/" + typeName + ".json")) {
            assertThat(in).as("fixture for %s", typeName).isNotNull();
            return in.readAllBytes();
        }
    }

    private static JsonNode tree(byte[] json) {
        return EventCodec.mapper().readTree(json);
    }
}
