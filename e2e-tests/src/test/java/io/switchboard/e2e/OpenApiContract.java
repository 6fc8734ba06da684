package io.switchboard.e2e;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.switchboard.events.EventCodec;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's OpenAPI document, against which real answers are checked: a status must be
 * documented for its route, its content type documented for that status, and a JSON body must fit
 * the documented schema. The whole document is loaded as one JSON Schema resource (OpenAPI 3.1's
 * schemas are JSON Schema 2020-12), so a response schema is found by its JSON pointer and its
 * {@code $ref}s into {@code components} resolve.
 */
final class OpenApiContract {

    private static final String DOCUMENT = "https://switchboard.test/v3/api-docs";

    private final JsonNode document;
    private final SchemaRegistry schemas;
    private final List<String> violations = new ArrayList<>();
    private int checked;

    OpenApiContract(String document) {
        this.document = EventCodec.mapper().readTree(document);
        this.schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(Map.of(DOCUMENT, document)));
    }

    int operations() {
        int operations = 0;
        for (JsonNode path : document.get("paths")) {
            operations += path.size();
        }
        return operations;
    }

    /** Checks one real answer to {@code method path} (the path as documented, with its {@code {placeholders}}). */
    void check(String method, String path, HttpResponse<String> response) {
        check(method, path, response.statusCode(), response.headers(), response.body());
    }

    /** Checks the status and content type of an answer, and its body unless that is null (a stream not read). */
    void check(String method, String path, int statusCode, HttpHeaders headers, String body) {
        checked++;
        String route = method + " " + path + " " + statusCode;
        JsonNode operation = document.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        if (operation.isMissingNode()) {
            violations.add(route + ": the operation is not documented");
            return;
        }
        String status = String.valueOf(statusCode);
        if (!operation.path("responses").has(status)) {
            violations.add(route + ": status not documented, only " + operation.path("responses").propertyNames());
            return;
        }
        String contentType = headers.firstValue("Content-Type").orElse("").split(";")[0].trim();
        JsonNode content = operation.path("responses").path(status).path("content");
        if (!content.has(contentType)) {
            violations.add(route + ": content type " + contentType + " not documented, only " + content.propertyNames());
            return;
        }
        if (body != null && contentType.endsWith("json")) {
            String pointer = "/paths/" + escape(path) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + status
                    + "/content/" + escape(contentType) + "/schema";
            Schema schema = schemas.getSchema(SchemaLocation.of(DOCUMENT + "#" + pointer));
            schema.validate(EventCodec.mapper().readTree(body)).forEach(error -> violations.add(route + ": " + error + " in " + body));
        }
    }

    List<String> violations() {
        return violations;
    }

    String summary() {
        return "OpenAPI: %d operations documented, %d real responses validated, %d violations"
                .formatted(operations(), checked, violations.size());
    }

    /** A JSON pointer's token (RFC 6901) in a URI fragment. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
    }
}
