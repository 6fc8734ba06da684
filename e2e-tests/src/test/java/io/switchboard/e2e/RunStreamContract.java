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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The run stream as the README shows it to clients: its example of every event and of
 * {@code GET /v1/runs/{id}}, and the JSON Schemas under {@code docs/run-stream/}. What a live run
 * sends must be like the README's example (the same fields, nested alike, with values of the same
 * JSON types) and fit the published schema.
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

    /** A live event has the shape of the README's example of it and fits its published schema. */
    void assertEventAsDocumented(String name, String data) {
        JsonNode live = EventCodec.mapper().readTree(data);
        assertThat(examples).as("the README shows an example of %s", name).containsKey(name);
        assertThat(mismatches("", live, examples.get(name))).as("%s as sent, against the README's example", name).isEmpty();
        assertThat(schema(name).validate(live)).as("%s against docs/run-stream/v1/%s.schema.json", name, name).isEmpty();
    }

    /** A run read with {@code GET /v1/runs/{id}} has the shape of the README's example. */
    void assertRunAsDocumented(JsonNode live) {
        assertThat(mismatches("", live, runExample)).as("GET /v1/runs/{id}, against the README's example").isEmpty();
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
     * Where a live value departs from the documented example: an object must have the same fields,
     * each like the example's; every element of an array must be like one of the example's elements;
     * any other value must be of the same JSON type. What an agent answers and what a tool takes
     * and gives ({@code output}, {@code args}, {@code arguments}) is each agent's and tool's own:
     * only its type is checked.
     */
    private static List<String> mismatches(String path, JsonNode live, JsonNode example) {
        List<String> found = new ArrayList<>();
        boolean opaque = path.endsWith(".output") || path.endsWith(".args") || path.endsWith(".arguments");
        if (example.isObject() && live.isObject() && !opaque) {
            Set<String> documented = new TreeSet<>(example.propertyNames());
            Set<String> sent = new TreeSet<>(live.propertyNames());
            if (!documented.equals(sent)) {
                found.add(path + ": fields " + sent + ", documented " + documented);
            } else {
                documented.forEach(field -> found.addAll(mismatches(path + "." + field, live.get(field), example.get(field))));
            }
        } else if (example.isArray() && live.isArray() && !opaque) {
            for (int i = 0; i < live.size(); i++) {
                JsonNode element = live.get(i);
                String at = path + "[" + i + "]";
                if (example.valueStream().noneMatch(documented -> mismatches(at, element, documented).isEmpty())) {
                    found.add(at + ": like none of the documented elements: " + element);
                }
            }
        } else if (live.getNodeType() != example.getNodeType()) {
            found.add(path + ": " + live.getNodeType() + ", documented " + example.getNodeType());
        }
        return found;
    }
}
