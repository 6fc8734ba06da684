package io.switchboard.gateway.runs;

import io.switchboard.events.RunStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.connection.stream.MapRecord;
import tools.jackson.databind.json.JsonMapper;

/** A run as {@code GET /v1/runs/{id}} shows it: the fold of its event stream. */
record RunView(
        String runId,
        String conversationId,
        String agent,
        String status,
        Object output,
        List<Map<String, Object>> toolCalls,
        Object error,
        Object createdAt,
        Object deadline,
        Object completedAt) {

    @SuppressWarnings("unchecked")
    static RunView fold(String runId, List<MapRecord<String, Object, Object>> records, JsonMapper json) {
        Map<String, Object> accepted = Map.of();
        Map<String, Map<String, Object>> toolCalls = new LinkedHashMap<>();
        Map<String, Object> end = Map.of();
        String status = "accepted";
        for (MapRecord<String, Object, Object> record : records) {
            Map<String, Object> data = json.readValue((String) record.getValue().get(RunStream.DATA_FIELD), Map.class);
            String name = (String) record.getValue().get(RunStream.EVENT_FIELD);
            switch (RunStream.Event.of(name).orElse(RunStream.Event.STEP_PLANNED)) {
                case RUN_ACCEPTED -> accepted = data;
                case STEP_PLANNED, STEP_COMPLETED -> status = status.equals("accepted") ? "running" : status;
                case TOOL_SUCCEEDED, TOOL_FAILED -> {
                    toolCalls.put((String) data.get("taskId"), data);
                    status = status.equals("accepted") ? "running" : status;
                }
                case RUN_COMPLETED, RUN_FAILED, RUN_CANCELLED -> {
                    end = data;
                    status = (String) data.get("status");
                }
            }
        }
        return new RunView(runId, (String) accepted.get("conversationId"), (String) accepted.get("agent"), status,
                end.get("output"), new ArrayList<>(toolCalls.values()), end.get("error"),
                accepted.get("createdAt"), accepted.get("deadline"), end.get("completedAt"));
    }
}
