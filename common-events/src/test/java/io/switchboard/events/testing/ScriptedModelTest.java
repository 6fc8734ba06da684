package io.switchboard.events.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scripted model answers as the OpenAI Chat Completions API does, in the order it was scripted. */
class ScriptedModelTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aStreamedAnswerComesInSeveralChunksThenTheFinishReasonThenUsageThenDone() throws Exception {
        try (ScriptedModel model = ScriptedModel.start()) {
            model.answer("Hello from the scripted model").usage(12, 7);

            HttpResponse<String> response = post(model, "{\"stream\": true, \"stream_options\": {\"include_usage\": true},"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

            List<String> events = response.body().lines().filter(line -> line.startsWith("data: ")).toList();
            assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
            assertThat(events.size()).isGreaterThan(5);
            assertThat(events).filteredOn(e -> e.contains("\"content\"")).hasSizeGreaterThan(3);
            assertThat(events.get(events.size() - 3)).contains("\"finish_reason\":\"stop\"");
            assertThat(events.get(events.size() - 2)).contains("\"choices\":[]").contains("\"prompt_tokens\":12")
                    .contains("\"completion_tokens\":7");
            assertThat(events.getLast()).isEqualTo("data: [DONE]");
        }
    }

    @Test
    void repliesAreServedInOrderThenTheDefaultAndEveryRequestIsRecorded() throws Exception {
        try (ScriptedModel model = ScriptedModel.start()) {
            model.status(429, Map.of("Retry-After", "1"), null);
            model.toolCalls(List.of(new ScriptedModel.ToolCall("call-1", "math_eval", "{\"expression\":\"1+1\"}")));
            model.malformed().delay(Duration.ofMillis(50));

            HttpResponse<String> limited = post(model, "{\"messages\": [], \"n\": 1}");
            HttpResponse<String> tools = post(model, "{\"messages\": [], \"n\": 2}");
            HttpResponse<String> malformed = post(model, "{\"messages\": [], \"n\": 3}");
            HttpResponse<String> fallback = post(model, "{\"messages\": [], \"n\": 4}");

            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).contains("1");
            assertThat(limited.body()).contains("\"error\"");
            assertThat(tools.body()).contains("\"object\":\"chat.completion\"").contains("\"finish_reason\":\"tool_calls\"")
                    .contains("\"name\":\"math_eval\"");
            assertThat(malformed.statusCode()).isEqualTo(200);
            assertThat(malformed.body()).doesNotEndWith("}");
            assertThat(fallback.body()).contains("\"content\":\"ok\"");
            assertThat(model.requestCount()).isEqualTo(4);
            assertThat(model.requests()).extracting(request -> request.get("n")).containsExactly(1, 2, 3, 4);
            assertThat(model.baseUrl()).startsWith("http://127.0.0.1:").endsWith("/v1");
        }
    }

    private HttpResponse<String> post(ScriptedModel model, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(model.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
