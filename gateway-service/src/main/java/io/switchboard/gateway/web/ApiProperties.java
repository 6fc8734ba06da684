package io.switchboard.gateway.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The public API's limits.
 *
 * @param maxBodySize     larger request bodies get 413
 * @param streamPoll      how often an open SSE stream looks for new events
 * @param streamMaxLength the longest an SSE connection stays open; the client resumes with Last-Event-ID
 */
@ConfigurationProperties("switchboard.api")
public record ApiProperties(
        @DefaultValue("64KB") DataSize maxBodySize,
        @DefaultValue("200ms") Duration streamPoll,
        @DefaultValue("10m") Duration streamMaxLength) {
}
