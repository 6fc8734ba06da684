package io.switchboard.events.kafka;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.EventCodec;
import io.switchboard.events.UnsupportedEventException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a record by its {@code ce_type}. The envelope is checked first (spec version, id, tenant,
 * run), so a record without a tenant never reaches a listener. Failures surface as
 * {@link UnsupportedEventException}; wrapped in an {@code ErrorHandlingDeserializer} they send the
 * record to its dead-letter topic without a retry.
 */
public class CloudEventDeserializer implements Deserializer<Object> {

    @Override
    public Object deserialize(String topic, byte[] data) {
        throw new UnsupportedEventException("record on " + topic + " has no CloudEvents headers");
    }

    @Override
    public Object deserialize(String topic, Headers headers, byte[] data) {
        CloudEventRecords.envelope(headers);
        return EventCodec.decode(CloudEventRecords.header(headers, CloudEventHeaders.TYPE), data);
    }
}
