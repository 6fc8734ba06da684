package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class TenantTagLimitTest {

    @Test
    void tenantsBeyondTheLimitAreCountedAsOther() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        meters.config().meterFilter(new TenantTagLimit(2));

        for (String tenant : new String[] {"acme", "globex", "initech", "acme", "umbrella"}) {
            meters.counter("switchboard.runs.accepted", "tenant", tenant, "agent", "calculator").increment();
        }

        assertThat(meters.counter("switchboard.runs.accepted", "tenant", "acme", "agent", "calculator").count()).isEqualTo(2);
        assertThat(meters.counter("switchboard.runs.accepted", "tenant", "globex", "agent", "calculator").count()).isEqualTo(1);
        assertThat(meters.find("switchboard.runs.accepted").tag("tenant", "other").counter().count()).isEqualTo(2);
        assertThat(meters.find("switchboard.runs.accepted").tag("tenant", "initech").counter()).isNull();
    }
}
