package io.switchboard.operations.replay;

import io.switchboard.platform.web.Problems;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/admin/replays {"from": "<instant>", "to"?: "<instant>"}} runs a replay drill
 * over the runs created in {@code [from, to)} (to now without {@code to}) and answers its report;
 * with {@code Accept: text/markdown}, as a table.
 */
@RestController
class ReplayController {

    private final ReplayDrill drill;

    ReplayController(ReplayDrill drill) {
        this.drill = drill;
    }

    record ReplayRequest(String from, String to) {
    }

    @PostMapping(path = "/v1/admin/replays", produces = "application/json")
    ReplayDrill.Report replay(@RequestBody ReplayRequest request) {
        Instant from = instant("from", request.from());
        Instant to = request.to() == null ? Instant.now() : instant("to", request.to());
        if (from == null || !from.isBefore(to)) {
            throw Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid range", "from is required and must be before to.");
        }
        return drill.run(from, to);
    }

    @PostMapping(path = "/v1/admin/replays", produces = "text/markdown")
    String replayTable(@RequestBody ReplayRequest request) {
        return replay(request).table();
    }

    private static Instant instant(String field, String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid range",
                    field + " must be an instant such as 2026-12-01T10:00:00Z.");
        }
    }
}
