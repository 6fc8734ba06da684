package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.platform.web.ApiKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** What a service refuses to start with, and the reason it gives. */
class StartupChecksTest {

    @Test
    void outsideTheLocalProfileEveryBrokerItUsesNeedsItsOwnCredentials() {
        MockEnvironment production = new MockEnvironment()
                .withProperty("spring.rabbitmq.host", "rabbitmq")
                .withProperty("spring.datasource.url", "jdbc:postgresql://postgres/switchboard");

        assertThatThrownBy(() -> StartupChecks.brokers(production)).hasMessage("refusing to start: "
                + "spring.rabbitmq.username (SPRING_RABBITMQ_USERNAME) is not set; outside the local profile there is no default; "
                + "spring.rabbitmq.password (SPRING_RABBITMQ_PASSWORD) is not set; outside the local profile there is no default; "
                + "spring.datasource.username (SPRING_DATASOURCE_USERNAME) is not set; outside the local profile there is no default; "
                + "spring.datasource.password (SPRING_DATASOURCE_PASSWORD) is not set; outside the local profile there is no default; "
                + "spring.data.redis.password (SPRING_DATA_REDIS_PASSWORD) is not set; outside the local profile there is no default");

        production.withProperty("spring.rabbitmq.username", "guest").withProperty("spring.rabbitmq.password", "guest")
                .withProperty("spring.datasource.username", "switchboard").withProperty("spring.datasource.password", "s3cret")
                .withProperty("spring.data.redis.password", "s3cret");
        assertThatThrownBy(() -> StartupChecks.brokers(production))
                .hasMessageContaining("RabbitMQ's guest user is refused outside the local profile");

        production.withProperty("spring.rabbitmq.username", "planner").withProperty("spring.rabbitmq.password", "s3cret");
        assertThatCode(() -> StartupChecks.brokers(production)).doesNotThrowAnyException();
    }

    @Test
    void theLocalProfilesDevelopmentCredentialsAreFine() {
        MockEnvironment local = new MockEnvironment().withProperty("spring.rabbitmq.host", "127.0.0.1");
        local.setActiveProfiles("local");

        assertThatCode(() -> StartupChecks.brokers(local)).doesNotThrowAnyException();
    }

    @Test
    void anApiEdgeNeedsTenantsAndAnAdminKey() {
        assertThatThrownBy(() -> StartupChecks.edge(new MockEnvironment(), properties(Map.of())))
                .hasMessage("refusing to start: no tenant is configured (switchboard.tenants): every request would be refused with 401; "
                        + "no admin key is configured (switchboard.admin.api-key-sha256): /v1/admin could not be used");
    }

    @Test
    void theDevelopmentKeysAreRefusedOnANetworkAddressAndOutsideTheLocalProfile() {
        PlatformProperties withDevelopmentKeys = properties(Map.of(
                "switchboard.tenants.acme.api-key-sha256[0]", ApiKeys.sha256("acme-dev-key"),
                "switchboard.admin.api-key-sha256[0]", ApiKeys.sha256("some-long-admin-key")));
        MockEnvironment local = new MockEnvironment();
        local.setActiveProfiles("local");

        assertThatThrownBy(() -> StartupChecks.edge(local, withDevelopmentKeys)).hasMessage("refusing to start: the development keys "
                + "[acme-dev-key] are published in the README, and the service would answer on every interface: bind server.address "
                + "to 127.0.0.1, or set switchboard.security.private-network=true if only a private container network reaches it");
        assertThatCode(() -> StartupChecks.edge(local.withProperty("server.address", "127.0.0.1"), withDevelopmentKeys))
                .doesNotThrowAnyException();
        assertThatCode(() -> StartupChecks.edge(new MockEnvironment().withProperty("server.address", "0.0.0.0")
                .withProperty("switchboard.security.private-network", "true"), withDevelopmentKeys))
                .hasMessageContaining("refused outside the local profile");
        MockEnvironment container = new MockEnvironment().withProperty("server.address", "0.0.0.0")
                .withProperty("switchboard.security.private-network", "true");
        container.setActiveProfiles("local");
        assertThatCode(() -> StartupChecks.edge(container, withDevelopmentKeys)).doesNotThrowAnyException();
    }

    private static PlatformProperties properties(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("switchboard", PlatformProperties.class);
    }
}
