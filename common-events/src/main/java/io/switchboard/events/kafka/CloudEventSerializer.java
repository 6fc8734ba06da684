package io.switchboard.events.kafka;

import io.switchboard.events.EventCodec;
import org.apache.kafka.common.serialization.Serializer;

/** Writes a contract record as JSON; the envelope is in the headers, no type hints in the payload. */
public class CloudEventSerializer implements Serializer<Object> {

    @Override
    public byte[] serialize(String topic, Object data) {
        return data == null ? null : EventCodec.encode(data);
    }
}
