package io.switchboard.events;

import static io.switchboard.events.CloudEventHeaders.*;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
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
        Instant written = asWritten(value);
        if (written != null) {
            return written;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new UnsupportedEventException("attribute 'ce_time' is not an RFC 3339 timestamp: " + value, e);
        }
    }

    /**
     * The form {@link #toHeaders} writes, {@code 2026-12-03T10:15:30.123456Z} (UTC, up to nine digits
     * of fraction), read without {@link Instant#parse}'s general formatter, which costs a few percent
     * of a service's CPU at one timestamp per message; null if the value has another form.
     */
    static Instant asWritten(String value) {
        int length = value.length();
        if (length < 20 || length > 30 || value.charAt(4) != '-' || value.charAt(7) != '-' || value.charAt(10) != 'T'
                || value.charAt(13) != ':' || value.charAt(16) != ':' || value.charAt(length - 1) != 'Z'
                || length > 20 && (value.charAt(19) != '.' || length == 21)) {
            return null;
        }
        int year = digits(value, 0, 4);
        int month = digits(value, 5, 7);
        int day = digits(value, 8, 10);
        int hour = digits(value, 11, 13);
        int minute = digits(value, 14, 16);
        int second = digits(value, 17, 19);
        int fraction = length > 20 ? digits(value, 20, length - 1) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || fraction < 0) {
            return null;
        }
        long nanos = fraction;
        for (int places = length - 21; places < 9; places++) {
            nanos *= 10;
        }
        return Instant.ofEpochSecond(LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
    }

    /** The decimal number in {@code value} from {@code from} to {@code to}; -1 if a character is not a digit. */
    private static int digits(String value, int from, int to) {
        int number = 0;
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            number = number * 10 + (c - '0');
        }
        return number;
    }
}
