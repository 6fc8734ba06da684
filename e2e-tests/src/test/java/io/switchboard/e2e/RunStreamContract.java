package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The run stream as the README shows it to clients: its example of every event and of
 * {@code GET /v1/runs/{id}}, and the JSON Schemas under {@code docs/run-stream/}. What a live run
 * sends must have the same shape as the README's example (the same fields, nested alike, with
 * values of the same JSON types) and fit the published schema.
 */
final class RunStreamContract {

    private static final Path REPO = Path.of("..");
    private static final Pattern SSE_EXAMPLE = Pattern.compile("^event: (\\S+)\\ndata: (\\{.*})$", Pattern.MULTILINE);
    private static final Pattern RUN_EXAMPLE = Pattern.compile("is\\s+the fold of the same events:\\s+```json\\n(\\{.*})\\n```");

    private final Map<String, JsonNode> examples = new HashMap<>();
    private final JsonNode runExample;

    private RunStreamContract(String readme) {
        Matcher events = SSE_EXAMPLE.matcher(readme);
        while (events.find()) {
            examples.put(events.group(1), EventCodec.mapper().readTree(events.group(2)));
        }
        Matcher run = RUN_EXAMPLE.matcher(readme);
        assertThat(run.find()).as("the README's example of GET /v1/runs/{runId}").isTrue();
        runExample = EventCodec.mapper().readTree(run.group(1));
    }

    static RunStreamContract fromReadme() {
        try {
            return new RunStreamContract(Files.readString(REPO.resolve("README.md")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> eventNames() {
        return List.copyOf(examples.keySet());
    }

    /** A live event has the shape of the README's example of it and fits its published schema. */
    void assertEventAsDocumented(String name, String data) {
        JsonNode live = EventCodec.mapper().readTree(data);
        assertThat(examples).as("the README shows an example of %s", name).containsKey(name);
        assertThat(shape(live)).as("%s as sent, against the README's example", name).isEqualTo(shape(examples.get(name)));
        assertThat(schema(name).validate(live)).as("%s against docs/run-stream/v1/%s.schema.json", name, name).isEmpty();
    }

    /** A run read with {@code GET /v1/runs/{id}} has the shape of the README's example. */
    void assertRunAsDocumented(JsonNode live) {
        assertThat(shape(live)).as("GET /v1/runs/{id}, against the README's example").isEqualTo(shape(runExample));
    }

    private static Schema schema(String name) {
        try {
            String text = Files.readString(REPO.resolve("docs/run-stream/v1/" + name + ".schema.json"));
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Field names, nested alike, with the JSON type of each value; an array has the distinct shapes
     * of its elements, in no particular order.
     */
    private static Object shape(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> fields = new TreeMap<>();
            node.properties().forEach(field -> fields.put(field.getKey(), shape(field.getValue())));
            return fields;
        }
        if (node.isArray()) {
            return node.valueStream().map(RunStreamContract::shape).distinct()
                    .sorted(Comparator.comparing(Object::toString)).toList();
        }
        return node.getNodeType().name();
    }
}
