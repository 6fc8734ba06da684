package io.switchboard.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.Topics;
import io.switchboard.events.UnsupportedEventException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class CloudEventDeserializerTest {

    private final CloudEventDeserializer deserializer = new CloudEventDeserializer();
    private final CloudEventSerializer serializer = new CloudEventSerializer();

    private final AgentRequested requested = new AgentRequested("run-1", "conv-1", "calculator",
            Map.of("expressions", java.util.List.of("2+2")), Priority.INTERACTIVE, Instant.parse("2026-11-26T10:00:00Z"));

    @Test
    void aRecordCarriesTheCloudEventsAttributesAsHeadersAndReadsBack() {
        ProducerRecord<String, Object> record = record();

        assertThat(CloudEventRecords.header(record.headers(), CloudEventHeaders.TYPE)).isEqualTo("agent.requested.v1");
        assertThat(CloudEventRecords.header(record.headers(), CloudEventHeaders.SPEC_VERSION)).isEqualTo("1.0");
        assertThat(CloudEventRecords.header(record.headers(), CloudEventHeaders.TENANT_ID)).isEqualTo("acme");
        assertThat(record.key()).isEqualTo("conv-1");
        byte[] payload = serializer.serialize(record.topic(), record.value());
        assertThat(new String(payload, StandardCharsets.UTF_8)).doesNotContain("AgentRequested", "io.switchboard");

        assertThat(deserializer.deserialize(record.topic(), record.headers(), payload)).isEqualTo(requested);
    }

    @Test
    void aRecordWithoutATenantIsRefused() {
        ProducerRecord<String, Object> record = record();
        record.headers().remove(CloudEventHeaders.TENANT_ID);
        byte[] payload = serializer.serialize(record.topic(), record.value());

        assertThatThrownBy(() -> deserializer.deserialize(record.topic(), record.headers(), payload))
                .isInstanceOf(UnsupportedEventException.class)
                .hasMessage("missing required attribute 'ce_tenantid'");
    }

    @Test
    void anUnknownVersionIsRefused() {
        ProducerRecord<String, Object> record = record();
        record.headers().remove(CloudEventHeaders.TYPE).add(CloudEventHeaders.TYPE, "agent.requested.v9".getBytes());
        byte[] payload = serializer.serialize(record.topic(), record.value());

        assertThatThrownBy(() -> deserializer.deserialize(record.topic(), record.headers(), payload))
                .isInstanceOf(UnsupportedEventException.class)
                .hasMessageContaining("agent.requested.v9");
    }

    private ProducerRecord<String, Object> record() {
        Envelope envelope = Envelope.origin("evt-1", "/gateway", AgentRequested.class, "acme", "corr-1", "run-1");
        return CloudEventRecords.record(Topics.AGENT_REQUESTED, "conv-1", envelope, requested);
    }
}
