package io.switchboard.gateway.stream;

import io.switchboard.gateway.runs.RunHistory;
import io.switchboard.gateway.web.ApiProperties;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A run's events as Server-Sent Events. The event id is the Redis stream entry id, so a client
 * that reconnects with {@code Last-Event-ID} gets exactly what came after; the stream ends after
 * the terminal event, and a client that comes after the end still gets the whole history.
 */
@RestController
class RunStreamController {

    private static final Pattern STREAM_ID = Pattern.compile("\\d{1,20}-\\d{1,20}");

    private final RunHistory history;
    private final ApiProperties properties;
    private final ExecutorService streams = Executors.newVirtualThreadPerTaskExecutor();

    RunStreamController(RunHistory history, ApiProperties properties) {
        this.history = history;
        this.properties = properties;
    }

    @GetMapping(path = "/v1/runs/{runId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                      @PathVariable String runId,
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        if (!history.exists(tenantId, runId)) {
            throw Problems.runNotFound(runId);
        }
        if (lastEventId != null && !STREAM_ID.matcher(lastEventId).matches()) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "Invalid Last-Event-ID",
                    "Last-Event-ID must be an event id this stream sent, such as 1764151200000-0.");
        }
        SseEmitter emitter = new SseEmitter(properties.streamMaxLength().toMillis() + 5_000);
        streams.execute(() -> relay(tenantId, runId, lastEventId, emitter));
        return emitter;
    }

    private void relay(String tenantId, String runId, String lastEventId, SseEmitter emitter) {
        long deadline = System.nanoTime() + properties.streamMaxLength().toNanos();
        String after = lastEventId;
        try {
            while (System.nanoTime() < deadline) {
                List<RunEventLog.Entry> entries = history.read(tenantId, runId, after);
                for (RunEventLog.Entry entry : entries) {
                    emitter.send(SseEmitter.event().id(entry.id()).name(entry.name())
                            .data(entry.data(), MediaType.APPLICATION_JSON));
                    after = entry.id();
                    if (entry.terminal()) {
                        emitter.complete();
                        return;
                    }
                }
                if (entries.isEmpty() && !history.exists(tenantId, runId)) {
                    break;
                }
                LockSupport.parkNanos(properties.streamPoll().toNanos());
            }
            emitter.complete();
        } catch (IOException | IllegalStateException clientGone) {
            emitter.completeWithError(clientGone);
        }
    }
}
