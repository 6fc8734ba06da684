package io.switchboard.gateway.stream;

import io.switchboard.gateway.runs.RunHistory;
import io.switchboard.gateway.web.ApiProperties;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p>
 * Streams are bounded ({@link OpenStreams}); what is there is read once, what comes later is
 * handed over by the gateway's one {@link RunFollower reader}. A stream ends on the terminal
 * event, at its time limit ({@code switchboard.api.stream-max-length}), or as soon as its client
 * has gone: a comment every {@code stream-heartbeat} finds a closed connection when nothing else does.
 */
@RestController
class RunStreamController {

    private static final Pattern STREAM_ID = Pattern.compile("\\d{1,20}-\\d{1,20}");
    /** How often a quiet stream makes sure its run still exists. */
    private static final Duration EXISTENCE_CHECK = Duration.ofMinutes(1);

    private final RunHistory history;
    private final RunFollower follower;
    private final OpenStreams open;
    private final ApiProperties properties;
    private final ExecutorService streams = Executors.newVirtualThreadPerTaskExecutor();

    RunStreamController(RunHistory history, RunFollower follower, OpenStreams open, ApiProperties properties) {
        this.history = history;
        this.follower = follower;
        this.open = open;
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
        OpenStreams.Permit permit = open.open(tenantId);
        SseEmitter emitter = new SseEmitter(properties.streamMaxLength().toMillis() + 5_000);
        AtomicReference<Thread> relay = new AtomicReference<>();
        Runnable clientGone = () -> {
            permit.close();
            Thread thread = relay.get();
            if (thread != null) {
                thread.interrupt();
            }
        };
        emitter.onCompletion(clientGone);
        emitter.onTimeout(clientGone);
        emitter.onError(error -> clientGone.run());
        streams.execute(() -> {
            relay.set(Thread.currentThread());
            try {
                relay(tenantId, runId, lastEventId, emitter);
            } finally {
                permit.close();
            }
        });
        return emitter;
    }

    private void relay(String tenantId, String runId, String lastEventId, SseEmitter emitter) {
        long deadline = System.nanoTime() + properties.streamMaxLength().toNanos();
        try {
            String after = lastEventId;
            for (RunEventLog.Entry entry : history.read(tenantId, runId, lastEventId)) {
                if (send(emitter, entry)) {
                    return;
                }
                after = entry.id();
            }
            try (RunFollower.Follower following = follower.follow(tenantId, runId, after)) {
                long nextCheck = System.nanoTime() + EXISTENCE_CHECK.toNanos();
                while (System.nanoTime() < deadline) {
                    List<RunEventLog.Entry> arrived = following.next(properties.streamHeartbeat());
                    for (RunEventLog.Entry entry : arrived) {
                        if (send(emitter, entry)) {
                            return;
                        }
                    }
                    if (arrived.isEmpty()) {
                        emitter.send(SseEmitter.event().comment("keep-alive"));
                    }
                    if (System.nanoTime() > nextCheck) {
                        if (!history.exists(tenantId, runId)) {
                            break; // erased, or lost with Redis before it was stored
                        }
                        nextCheck = System.nanoTime() + EXISTENCE_CHECK.toNanos();
                    }
                }
            }
            emitter.complete();
        } catch (InterruptedException clientGone) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException clientGoneOrOutage) {
            // the client resumes with Last-Event-ID
            emitter.completeWithError(clientGoneOrOutage);
        }
    }

    /** Sends one entry; true if it was the terminal one and the stream is complete. */
    private static boolean send(SseEmitter emitter, RunEventLog.Entry entry) throws IOException {
        emitter.send(SseEmitter.event().id(entry.id()).name(entry.name()).data(entry.data(), MediaType.APPLICATION_JSON));
        if (entry.terminal()) {
            emitter.complete();
            return true;
        }
        return false;
    }
}
