package io.switchboard.gateway.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The public API's limits.
 *
 * @param maxBodySize      larger request bodies get 413
 * @param streamHeartbeat  an open SSE stream with nothing to send sends a comment this often, which
 *                         finds a client that has gone
 * @param streamMaxLength  the longest an SSE connection stays open; the client resumes with Last-Event-ID
 * @param streamsPerTenant SSE streams one tenant may hold open on one gateway; past it, 429
 * @param streams          SSE streams one gateway holds open in all; past it, 429
 */
@ConfigurationProperties("switchboard.api")
public record ApiProperties(
        @DefaultValue("64KB") DataSize maxBodySize,
        @DefaultValue("5s") Duration streamHeartbeat,
        @DefaultValue("10m") Duration streamMaxLength,
        @DefaultValue("100") int streamsPerTenant,
        @DefaultValue("2000") int streams) {
}
