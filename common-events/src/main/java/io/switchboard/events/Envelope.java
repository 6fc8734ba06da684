package io.switchboard.events;

import static io.switchboard.events.CloudEventHeaders.*;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The CloudEvents attributes of one event or task. The payload stays a plain record; the envelope
 * travels as headers (binary mode).
 *
 * @param subject the run id, so a broker UI shows which run an event belongs to
 */
public record Envelope(
        String id,
        String source,
        String type,
        Instant time,
        String subject,
        String tenantId,
        String correlationId,
        String causationId,
        String runId) {

    /** The first event of a request: it causes itself. */
    public static Envelope origin(String id, String source, Class<?> type, String tenantId,
                                  String correlationId, String runId) {
        return new Envelope(id, source, EventTypes.typeName(type), Instant.now(), runId,
                tenantId, correlationId, id, runId);
    }

    /** An event caused by this one: same tenant, run and correlation, causation pointing here. */
    public Envelope next(String id, String source, Class<?> type) {
        return new Envelope(id, source, EventTypes.typeName(type), Instant.now(), runId,
                tenantId, correlationId, this.id, runId);
    }

    public Map<String, String> toHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ID, id);
        headers.put(SOURCE, source);
        headers.put(TYPE, type);
        headers.put(SPEC_VERSION, SPEC_VERSION_1_0);
        headers.put(TIME, time.toString());
        headers.put(SUBJECT, subject);
        headers.put(CONTENT_TYPE, JSON);
        headers.put(TENANT_ID, tenantId);
        headers.put(CORRELATION_ID, correlationId);
        headers.put(CAUSATION_ID, causationId);
        headers.put(RUN_ID, runId);
        return headers;
    }

    /**
     * Reads and checks the attributes. A missing required attribute or another spec version makes
     * the event unreadable, which is final: it goes to a dead letter, never back for a retry.
     */
    public static Envelope fromHeaders(Function<String, String> headers) {
        String specVersion = headers.apply(SPEC_VERSION);
        if (!SPEC_VERSION_1_0.equals(specVersion)) {
            throw new UnsupportedEventException("unsupported CloudEvents spec version '" + specVersion + "'");
        }
        return new Envelope(
                required(headers, ID), required(headers, SOURCE), required(headers, TYPE),
                time(headers.apply(TIME)), headers.apply(SUBJECT), required(headers, TENANT_ID),
                required(headers, CORRELATION_ID), headers.apply(CAUSATION_ID), required(headers, RUN_ID));
    }

    private static String required(Function<String, String> headers, String name) {
        String value = headers.apply(name);
        if (value == null || value.isBlank()) {
            throw new UnsupportedEventException("missing required attribute '" + name + "'");
        }
        return value;
    }

    private static Instant time(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new UnsupportedEventException("attribute 'ce_time' is not an RFC 3339 timestamp: " + value, e);
        }
    }
}
