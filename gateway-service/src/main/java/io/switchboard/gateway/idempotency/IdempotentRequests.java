package io.switchboard.gateway.idempotency;

import io.switchboard.platform.web.ApiKeys;
import io.switchboard.platform.web.Problems;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code Idempotency-Key} request header (draft-ietf-httpapi-idempotency-key-header), per
 * tenant. The first request with a key claims it; once it succeeds its response is kept and a
 * retry with the same key and the same body gets that response again. The same key with another
 * body is refused (422), and so is a retry while the first request is still running (409). A
 * request that fails releases its key, so the client can retry it with the same key.
 */
@Component
public class IdempotentRequests {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

    /**
     * KEYS: the key's hash. ARGV: request fingerprint, in-flight timeout (ms). Claims the key, or
     * returns what is stored: state, fingerprint, status, location, body.
     */
    private static final RedisScript<List> CLAIM = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 0 then
              redis.call('HSET', KEYS[1], 'state', 'in-flight', 'fingerprint', ARGV[1])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return {'claimed'}
            end
            return redis.call('HMGET', KEYS[1], 'state', 'fingerprint', 'status', 'location', 'body')
            """, List.class);

    private final StringRedisTemplate redis;
    private final IdempotencyProperties properties;
    private final JsonMapper canonical;
    private final JsonMapper json;

    IdempotentRequests(StringRedisTemplate redis, IdempotencyProperties properties, JsonMapper json) {
        this.redis = redis;
        this.properties = properties;
        this.json = json;
        this.canonical = json.rebuild().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    }

    /** Runs {@code action} once per tenant, key and request; see the class comment for the rest. */
    public ResponseEntity<?> once(String tenantId, String idempotencyKey, Object request, Supplier<ResponseEntity<?>> action) {
        String redisKey = "sb:" + tenantId + ":idempotency:" + ApiKeys.sha256(parse(idempotencyKey));
        String fingerprint = ApiKeys.sha256(canonical.writeValueAsString(request));
        List<?> claim = redis.execute(CLAIM, List.of(redisKey), fingerprint,
                String.valueOf(properties.inFlightTimeout().toMillis()));
        if (claim.size() == 1) {
            return firstTime(redisKey, action);
        }
        if (!fingerprint.equals(claim.get(1))) {
            throw Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused",
                    "This Idempotency-Key was used for a request with another body; use a new key for a new request.");
        }
        if ("in-flight".equals(claim.get(0))) {
            ErrorResponseException conflict = Problems.of(HttpStatus.CONFLICT, "Request in progress",
                    "A request with this Idempotency-Key is still being processed; retry when it has finished.");
            conflict.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
            throw conflict;
        }
        ResponseEntity.BodyBuilder replay = ResponseEntity.status(Integer.parseInt((String) claim.get(2)))
                .contentType(MediaType.APPLICATION_JSON)
                .header(REPLAYED_HEADER, "true");
        if (claim.get(3) instanceof String location && !location.isEmpty()) {
            replay.location(URI.create(location));
        }
        return replay.body(claim.get(4));
    }

    private ResponseEntity<?> firstTime(String redisKey, Supplier<ResponseEntity<?>> action) {
        ResponseEntity<?> response;
        try {
            response = action.get();
        } catch (RuntimeException failed) {
            redis.delete(redisKey);
            throw failed;
        }
        URI location = response.getHeaders().getLocation();
        redis.opsForHash().putAll(redisKey, Map.of(
                "state", "done",
                "status", String.valueOf(response.getStatusCode().value()),
                "location", location == null ? "" : location.toString(),
                "body", json.writeValueAsString(response.getBody())));
        redis.expire(redisKey, properties.retention());
        return response;
    }

    /** The key as sent: a token of visible ASCII, or the same as a structured-field string in quotes. */
    private static String parse(String key) {
        String value = key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
        if (!KEY.matcher(value).matches()) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "Invalid Idempotency-Key",
                    "Idempotency-Key must be 1-255 visible ASCII characters, for example a UUID.");
        }
        return value;
    }

}
