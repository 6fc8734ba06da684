package io.switchboard.gateway.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.switchboard.events.stream.RunEvents;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the OpenAPI document ({@code /v3/api-docs}, Swagger UI at {@code /swagger-ui.html}) says
 * beyond what springdoc reads from the controllers: the keys, the problem responses every route
 * shares, the run stream, the dead-letter routes the gateway forwards, and which fields of the main
 * answers are always there and which may be null. The end-to-end tests validate real answers
 * against it.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String PROBLEM_JSON = "application/problem+json";
    private static final String JSON = "application/json";
    private static final String TENANT_KEY = "tenantKey";
    private static final String ADMIN_KEY = "adminKey";

    /** Problem responses beyond the ones every route of its kind has (see {@link #problems}). */
    private static final Map<String, List<Integer>> MORE_PROBLEMS = Map.of(
            "POST /v1/runs", List.of(403, 409),
            "PUT /v1/agents/{name}", List.of(403, 409),
            "DELETE /v1/agents/{name}", List.of(403),
            "PUT /v1/mcp-servers/{name}", List.of(409),
            "POST /v1/runs/{runId}/cancel", List.of(409),
            "GET /v1/runs/{runId}/events", List.of(400),
            "POST /v1/chat/completions", List.of(404));

    /** The routes for OpenAI's clients, which answer errors in OpenAI's shape. */
    private static final List<String> OPENAI = List.of("/v1/chat/completions", "/v1/models");

    @Bean
    OpenApiCustomizer switchboardApi() {
        return api -> {
            api.info(new Info().title("Switchboard API").version("v1").description("""
                    Runs AI agents for many tenants. A tenant names itself by its API key \
                    (`Authorization: Bearer <key>`); `/v1/admin` takes an admin key. Create a run, follow \
                    its events as Server-Sent Events, read it, list and search the tenant's runs, define \
                    agents. Errors are RFC 9457 problem details (`application/problem+json`)."""));
            Components components = api.getComponents() == null ? new Components() : api.getComponents();
            api.components(components
                    .addSecuritySchemes(TENANT_KEY, bearer("The tenant's API key."))
                    .addSecuritySchemes(ADMIN_KEY, bearer("An admin key: /v1/admin only."))
                    .addSchemas("Problem", problem())
                    .addSchemas("OpenAiError", object().addProperty("error", object()
                            .addProperty("message", type("string")).addProperty("type", type("string"))
                            .addProperty("param", type("string", "null")).addProperty("code", type("string", "null")))));
            deadLetters(api);
            runStream(api);
            chatCompletions(api);
            answers(components.getSchemas());
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                operation.addSecurityItem(new SecurityRequirement().addList(path.startsWith("/v1/admin/") ? ADMIN_KEY : TENANT_KEY));
                operation.setTags(List.of(path.split("/")[2]));
                statuses(method + " " + path, operation);
                problems(method + " " + path, operation);
            }));
        };
    }

    /** Springdoc answers 200 for every route: here the routes that create (201) or answer nothing (204). */
    private static void statuses(String route, Operation operation) {
        ApiResponses responses = operation.getResponses();
        ApiResponse ok = responses.get("200");
        if (ok == null) {
            return;
        }
        if (ok.getContent() == null || ok.getContent().isEmpty()) {
            responses.remove("200");
            responses.addApiResponse("204", new ApiResponse().description("No Content"));
        } else if (route.startsWith("POST ") && (route.endsWith("/api-keys") || route.endsWith("/rotate"))) {
            responses.remove("200");
            responses.addApiResponse("201", ok.description("Created: the key is shown this once"));
        } else if (route.startsWith("PUT ")) {
            responses.addApiResponse("201", new ApiResponse().description("Created").content(ok.getContent()));
            ok.description("Replaced");
        }
        if (responses.containsKey("202")) {
            responses.remove("200");
        }
    }

    /**
     * The RFC 9457 answers a route can give: 401 on all; 429 and 503 on a tenant's; 404 where the
     * path names something; 400, 413 and 422 where a body is taken; 400 for a bad query parameter.
     */
    private static void problems(String route, Operation operation) {
        Set<Integer> statuses = new LinkedHashSet<>(List.of(401));
        boolean admin = route.contains(" /v1/admin/");
        if (!admin) {
            statuses.addAll(List.of(429, 503));
        }
        if (route.contains("{")) {
            statuses.add(404);
        }
        if (operation.getRequestBody() != null) {
            statuses.addAll(List.of(400, 413, 422));
        }
        if (operation.getParameters() != null && operation.getParameters().stream().anyMatch(p -> "query".equals(p.getIn()))) {
            statuses.add(400);
        }
        if (route.contains("dead-letters")) {
            statuses.add(503);
        }
        statuses.addAll(MORE_PROBLEMS.getOrDefault(route, List.of()));
        boolean openAi = OPENAI.stream().anyMatch(route::endsWith);
        statuses.stream().sorted().forEach(status -> operation.getResponses().computeIfAbsent(String.valueOf(status),
                code -> new ApiResponse().description(reason(status)).content(new Content().addMediaType(
                        openAi ? JSON : PROBLEM_JSON, new MediaType().schema(ref(openAi ? "OpenAiError" : "Problem"))))));
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Malformed JSON, or a bad parameter (named in the detail)";
            case 401 -> "No API key, or one that is unknown, revoked or expired";
            case 403 -> "Switched off for the tenant by one of its flags, or a platform agent (read-only)";
            case 404 -> "Not found, or another tenant's (the same answer)";
            case 409 -> "In conflict with the current state (named in the detail)";
            case 413 -> "The body is over the limit";
            case 422 -> "The body does not fit: each fault named in `errors`";
            case 429 -> "Over the tenant's rate limit or daily token budget; see Retry-After and RateLimit-Policy";
            case 503 -> "A broker, the run store or the operations service did not answer in time (retry after "
                    + "Retry-After), or the agent's model provider is not configured here (`missing` names the settings)";
            default -> "Error";
        };
    }

    /** RFC 9457 problem details; a 422 names each fault in {@code errors}. Other members may be added. */
    private static Schema<?> problem() {
        Schema<?> fault = object()
                .addProperty("field", type("string"))
                .addProperty("message", type("string"));
        fault.setRequired(List.of("field", "message"));
        Schema<?> problem = object()
                .addProperty("type", type("string").format("uri"))
                .addProperty("title", type("string"))
                .addProperty("status", type("integer"))
                .addProperty("detail", type("string"))
                .addProperty("instance", type("string"))
                .addProperty("errors", type("array").items(fault));
        problem.setRequired(List.of("type", "title", "status"));
        problem.description("RFC 9457 problem details");
        problem.setExample(example("type", "https://switchboard.dev/problems/404", "title", "Run not found", "status", 404,
                "detail", "There is no run 'run-0001'.", "instance", "/v1/runs/run-0001"));
        return problem;
    }

    /** {@code GET /v1/runs/{runId}/events}: what springdoc cannot read from an {@code SseEmitter}. */
    private static void runStream(OpenAPI api) {
        PathItem item = api.getPaths().get("/v1/runs/{runId}/events");
        if (item == null || item.getGet() == null) {
            return;
        }
        String events = RunEvents.names().stream()
                .map(name -> "`" + name + "` ([schema](docs/run-stream/v1/" + name + ".schema.json))")
                .collect(Collectors.joining(", "));
        item.getGet().summary("The run's events as Server-Sent Events").description("""
                Each event's `id:` is its position (send it back as `Last-Event-ID` to get only what came after), \
                `event:` its name and `data:` its JSON. Events (version %d of the run stream; clients ignore fields \
                and names they do not know): %s. The JSON Schemas are under `docs/run-stream/v1/` in the repository. \
                The stream ends after the terminal event (`run.completed`, `run.failed` or `run.cancelled`); after \
                the end it replays the whole history. A comment (`: keep-alive`) every 5 s while nothing happens; \
                at most 10 minutes per connection (resume with `Last-Event-ID`).""".formatted(RunEvents.VERSION, events));
        item.getGet().getParameters().stream().filter(parameter -> parameter.getName().equals("Last-Event-ID"))
                .forEach(parameter -> parameter.description("The `id:` of the last event received, such as `1764151200125-0`"));
        item.getGet().getResponses().addApiResponse("200", new ApiResponse().description("The run's events")
                .content(new Content().addMediaType("text/event-stream", new MediaType().schema(type("string"))
                        .example("""
                                id: 1764151200125-0
                                event: run.accepted
                                data: {"runId":"run-0001","conversationId":"conv-0001","agent":"calculator",...}

                                """))));
        api.getComponents().getSchemas().remove("SseEmitter");
    }

    /** {@code POST /v1/chat/completions}: a {@code chat.completion}, or with {@code "stream": true} its chunks as SSE. */
    private static void chatCompletions(OpenAPI api) {
        PathItem item = api.getPaths().get("/v1/chat/completions");
        if (item == null || item.getPost() == null) {
            return;
        }
        item.getPost().summary("OpenAI's Chat Completions: `model` is a model agent's name").getResponses().addApiResponse("200",
                new ApiResponse().description("A chat.completion, or with \"stream\": true chat.completion.chunk events and "
                                + "`data: [DONE]`; the run's id in X-Switchboard-Run-Id")
                        .content(new Content().addMediaType(JSON, new MediaType().schema(object()))
                                .addMediaType("text/event-stream", new MediaType().schema(type("string")))));
        api.getComponents().getSchemas().remove("StreamingResponseBody");
    }

    /**
     * The dead-letter routes, which the gateway forwards to the operations service as they come;
     * the answers are that service's.
     */
    private static void deadLetters(OpenAPI api) {
        Schema<?> deadLetter = object()
                .addProperty("id", type("string"))
                .addProperty("source", type("string").description("kafka or rabbitmq"))
                .addProperty("origin", type("string"))
                .addProperty("reason", type("string", "null"))
                .addProperty("exception", type("string", "null"))
                .addProperty("attempts", type("integer"))
                .addProperty("tenant", type("string", "null"))
                .addProperty("runId", type("string", "null"))
                .addProperty("deadLetteredAt", type("string").format("date-time"))
                .addProperty("payload", type("string", "null"))
                .addProperty("payloadBase64", type("boolean"));
        Schema<?> deadLetters = object().addProperty("total", type("integer"))
                .addProperty("items", type("array").items(ref("DeadLetter")));
        Schema<?> redriven = object().addProperty("id", type("string")).addProperty("redrivenTo", type("string"));
        api.getComponents().addSchemas("DeadLetter", deadLetter).addSchemas("DeadLetters", deadLetters)
                .addSchemas("Redriven", redriven);
        List<Parameter> listing = List.of(
                new Parameter().in("query").name("source").schema(type("string")).description("kafka or rabbitmq"),
                new Parameter().in("query").name("limit").schema(type("integer")).description("100 by default, at most 1000"));
        Parameter id = new Parameter().in("path").name("id").required(true).schema(type("string"));
        for (String base : List.of("/v1/admin/dead-letters", "/v1/dead-letters")) {
            String whose = base.contains("admin") ? "Every tenant's" : "The tenant's own";
            api.path(base, new PathItem().get(new Operation().operationId(operationId("list", base))
                    .summary(whose + " dead letters, newest first").parameters(new ArrayList<>(listing))
                    .responses(new ApiResponses().addApiResponse("200", ok("DeadLetters")))));
            api.path(base + "/{id}", new PathItem().get(new Operation().operationId(operationId("get", base))
                    .summary("One dead letter").parameters(new ArrayList<>(List.of(id)))
                    .responses(new ApiResponses().addApiResponse("200", ok("DeadLetter")))));
        }
        api.path("/v1/admin/dead-letters/{id}/redrive", new PathItem().post(new Operation().operationId("redriveDeadLetter")
                .summary("Sends the dead letter back where it came from, then drops it").parameters(new ArrayList<>(List.of(id)))
                .responses(new ApiResponses().addApiResponse("202", ok("Redriven").description("Redriven")))));
    }

    private static String operationId(String verb, String base) {
        return verb + (base.contains("admin") ? "Admin" : "") + "DeadLetter" + (verb.equals("list") ? "s" : "");
    }

    /**
     * The main answers, generated from their records, with the fields they always carry and those
     * that may be null; and the run request's required fields and example.
     */
    private static void answers(Map<String, Schema> schemas) {
        fields(schemas.get("AcceptedRun"), Set.of());
        fields(schemas.get("RunView"), Set.of("conversationId", "agent", "output", "error", "createdAt", "deadline", "completedAt"));
        fields(schemas.get("ToolResult"), Set.of("args"), "output", "error");
        fields(schemas.get("Page"), Set.of("nextCursor"));
        fields(schemas.get("StoredRun"), Set.of("conversationId", "priority", "input", "output", "error", "completedAt"));
        fields(schemas.get("Agents"), Set.of());
        fields(schemas.get("AgentSummary"), Set.of("description"), "model", "unavailable", "version", "updatedAt", "definition");
        // StoredRun's usage is another Usage than the daily budget's, which has the schema name.
        Schema<?> runUsage = object().addProperty("promptTokens", type("integer")).addProperty("completionTokens", type("integer"));
        runUsage.setRequired(List.of("promptTokens", "completionTokens"));
        schemas.get("StoredRun").addProperty("usage", runUsage);
        Schema<?> request = schemas.get("CreateRunRequest");
        request.setRequired(List.of("agent", "input"));
        request.getProperties().put("priority", type("string").description("interactive (the default) or background"));
        request.setExample(example("agent", "calculator", "input", Map.of("expressions", List.of("2+2", "sqrt(16)*3"))));
    }

    /**
     * Every property is required except those named optional (left out when absent); the nullable
     * ones may be {@code null}.
     */
    private static void fields(Schema<?> schema, Set<String> nullable, String... optional) {
        if (schema == null || schema.getProperties() == null) {
            return;
        }
        Set<String> absent = Set.of(optional);
        schema.setRequired(schema.getProperties().keySet().stream().filter(name -> !absent.contains(name)).toList());
        nullable.forEach(name -> {
            Schema<?> property = schema.getProperties().get(name);
            if (property != null && property.getTypes() != null) {
                Set<String> types = new LinkedHashSet<>(property.getTypes());
                types.add("null");
                property.setTypes(types);
            }
        });
    }

    private static ApiResponse ok(String schema) {
        return new ApiResponse().description("OK")
                .content(new Content().addMediaType(JSON, new MediaType().schema(ref(schema))));
    }

    private static SecurityScheme bearer(String description) {
        return new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").description(description);
    }

    private static Schema<?> object() {
        return type("object");
    }

    private static Schema<?> type(String... types) {
        return new JsonSchema().types(new LinkedHashSet<>(List.of(types)));
    }

    private static Schema<?> ref(String name) {
        return new JsonSchema().$ref("#/components/schemas/" + name);
    }

    private static Map<String, Object> example(Object... keysAndValues) {
        Map<String, Object> example = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            example.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return example;
    }
}
