package io.switchboard.events.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.switchboard.events.EventCodec;
import io.switchboard.events.UnsupportedEventException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The run stream is a versioned contract like the Kafka events: a golden fixture per event, read
 * and written back unchanged, unknown fields ignored, and the published JSON Schema (under
 * {@code docs/run-stream/}) matching both the fixture and the record.
 */
class RunStreamContractTest {

    private static final Path SCHEMAS = Path.of("..", "docs", "run-stream", "v" + RunEvents.VERSION);

    static List<String> names() {
        return RunEvents.names();
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyEventReadsItsFixtureAndWritesItBackUnchanged(String name) throws IOException {
        String fixture = fixture(name);

        RunEvent event = RunEvents.decode(name, fixture);

        assertThat(event.eventName()).isEqualTo(name);
        assertThat(event.terminal()).isEqualTo(RunEvents.isTerminal(name));
        assertThat(tree(RunEvents.encode(event))).isEqualTo(tree(fixture));
    }

    @ParameterizedTest
    @MethodSource("names")
    void unknownFieldsAreIgnored(String name) throws IOException {
        ObjectNode extended = (ObjectNode) tree(fixture(name));
        extended.put("addedInALaterMinorRevision", "ignored");

        RunEvent event = RunEvents.decode(name, extended.toString());

        assertThat(tree(RunEvents.encode(event))).isEqualTo(tree(fixture(name)));
    }

    @ParameterizedTest
    @MethodSource("names")
    void thePublishedSchemaAcceptsTheFixtureAndNamesEveryField(String name) throws IOException {
        String schemaText = Files.readString(SCHEMAS.resolve(name + ".schema.json"));
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaText);

        assertThat(schema.validate(tree(fixture(name)))).isEmpty();
        JsonNode properties = tree(schemaText).get("properties");
        List<String> fields = Arrays.stream(RunEvents.decode(name, fixture(name)).getClass().getRecordComponents())
                .map(RecordComponent::getName).toList();
        assertThat(properties.propertyNames()).containsAll(fields.stream()
                .filter(field -> !omittedFrom(name, field)).toList());
    }

    @Test
    void anUnknownEventNameOrDataOfAnotherEventIsRefusedWithTheReason() throws IOException {
        assertThatThrownBy(() -> RunEvents.decode("run.paused", "{}"))
                .isInstanceOf(UnsupportedEventException.class)
                .hasMessageContaining("unknown run-stream event 'run.paused'");
        assertThatThrownBy(() -> RunEvents.decode("tool.succeeded", fixture("tool.failed")))
                .isInstanceOf(UnsupportedEventException.class)
                .hasMessageContaining("holds the data of 'tool.failed'");
        assertThatThrownBy(() -> RunEvents.decode("run.completed", "{\"status\": \"running\"}"))
                .isInstanceOf(UnsupportedEventException.class)
                .hasMessageContaining("not a valid run.completed event");
    }

    @Test
    void theTerminalEventsAreTheThreeEndsAndNothingElse() {
        assertThat(RunEvents.names().stream().filter(RunEvents::isTerminal))
                .containsExactly("run.completed", "run.failed", "run.cancelled");
    }

    /** Fields a record leaves out of this event's JSON when they are empty. */
    private static boolean omittedFrom(String name, String field) {
        return switch (name) {
            case "tool.succeeded" -> field.equals("error");
            case "tool.failed" -> field.equals("output");
            case "run.failed", "run.cancelled" -> field.equals("output");
            default -> false;
        };
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = RunStreamContractTest.class.getResourceAsStream("/fixtures/run-stream/v1/" + name + ".json")) {
            assertThat(in).as("fixture for %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonNode tree(String json) {
        return EventCodec.mapper().readTree(json);
    }
}
