package io.switchboard.platform;

import io.switchboard.platform.web.ApiKeys;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * Refuses to start a service that would be unsafe to expose, saying why. Outside the {@code local}
 * profile nothing has a default credential: every broker the service uses must be given its user
 * and password (RabbitMQ's {@code guest} is refused), and the documented development keys are
 * refused. In the {@code local} profile those keys are accepted only on a loopback address, unless
 * {@code switchboard.security.private-network} says only a private container network reaches the
 * service. A service that answers API clients must know at least one tenant and one admin key.
 */
public final class StartupChecks {

    /** The development keys the README prints for the local profile: anyone can read them. */
    static final List<String> DEVELOPMENT_KEYS = List.of("acme-dev-key", "globex-dev-key", "tiny-dev-key", "admin-dev-key");

    static final String PRIVATE_NETWORK = "switchboard.security.private-network";

    private StartupChecks() {
    }

    /** The credentials of the brokers this service is configured to use. */
    public static void brokers(Environment environment) {
        if (local(environment)) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (environment.containsProperty("spring.rabbitmq.host")) {
            require(environment, problems, "spring.rabbitmq.username", "SPRING_RABBITMQ_USERNAME");
            require(environment, problems, "spring.rabbitmq.password", "SPRING_RABBITMQ_PASSWORD");
            if ("guest".equals(environment.getProperty("spring.rabbitmq.username"))
                    || "guest".equals(environment.getProperty("spring.rabbitmq.password"))) {
                problems.add("RabbitMQ's guest user is refused outside the local profile: give the service a user of its own");
            }
        }
        if (environment.containsProperty("spring.datasource.url")) {
            require(environment, problems, "spring.datasource.username", "SPRING_DATASOURCE_USERNAME");
            require(environment, problems, "spring.datasource.password", "SPRING_DATASOURCE_PASSWORD");
        }
        if (!environment.getProperty("spring.data.redis.url", "").contains("@")) {
            require(environment, problems, "spring.data.redis.password", "SPRING_DATA_REDIS_PASSWORD");
        }
        fail(problems);
    }

    /** The keys of a service that answers API clients, and the address it answers on. */
    public static void edge(Environment environment, PlatformProperties properties) {
        List<String> problems = new ArrayList<>();
        if (properties.tenants().isEmpty()) {
            problems.add("no tenant is configured (switchboard.tenants): every request would be refused with 401");
        }
        if (properties.admin().apiKeySha256().isEmpty()) {
            problems.add("no admin key is configured (switchboard.admin.api-key-sha256): /v1/admin could not be used");
        }
        Set<String> configured = Stream.concat(properties.admin().apiKeySha256().stream(),
                        properties.tenants().values().stream().flatMap(tenant -> tenant.apiKeySha256().stream()))
                .map(hash -> hash.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<String> developmentKeys = DEVELOPMENT_KEYS.stream().filter(key -> configured.contains(ApiKeys.sha256(key))).toList();
        if (!developmentKeys.isEmpty()) {
            String address = environment.getProperty("server.address");
            if (!local(environment)) {
                problems.add("the development keys " + developmentKeys + " are published in the README; they are refused "
                        + "outside the local profile");
            } else if (!loopback(address) && !environment.getProperty(PRIVATE_NETWORK, Boolean.class, false)) {
                problems.add("the development keys " + developmentKeys + " are published in the README, and the service "
                        + "would answer on " + (address == null ? "every interface" : address) + ": bind server.address to "
                        + "127.0.0.1, or set " + PRIVATE_NETWORK + "=true if only a private container network reaches it");
            }
        }
        fail(problems);
    }

    private static boolean local(Environment environment) {
        return environment.acceptsProfiles(Profiles.of("local"));
    }

    private static boolean loopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void require(Environment environment, List<String> problems, String property, String variable) {
        if (environment.getProperty(property, "").isBlank()) {
            problems.add(property + " (" + variable + ") is not set; outside the local profile there is no default");
        }
    }

    private static void fail(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start: " + String.join("; ", problems));
        }
    }
}
