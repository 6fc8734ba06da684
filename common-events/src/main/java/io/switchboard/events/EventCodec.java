package io.switchboard.events;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON for every contract. Unknown fields are ignored (changes within a version are additive);
 * anything else that does not fit the contract is an {@link UnsupportedEventException}.
 */
public final class EventCodec {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private EventCodec() {
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object payload) {
        return MAPPER.writeValueAsBytes(payload);
    }

    /** Decodes a payload of the given wire type, for example {@code agent.requested.v1}. */
    public static Object decode(String typeName, byte[] json) {
        return decode(EventTypes.forName(typeName), json);
    }

    public static <T> T decode(Class<T> type, byte[] json) {
        if (json == null || json.length == 0) {
            throw new UnsupportedEventException("empty payload for " + EventTypes.typeName(type));
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new UnsupportedEventException("payload is not a valid " + EventTypes.typeName(type)
                    + ": " + e.getOriginalMessage(), e);
        }
    }
}
