package io.switchboard.e2e;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Kubernetes manifests as they would be applied: every overlay of {@code deploy/k8s/overlays},
 * rendered by {@code kubectl kustomize}, checked against what the services really read. Ports and
 * probes against each service's {@code application.yml}; every environment variable against a
 * property the service binds; every Secret and ConfigMap key against what defines it; every KEDA
 * trigger against the listeners in the code, {@code Topics} and {@code TaskQueues}. A manifest
 * that renders and applies but would leave a pod failing its probes, a variable no one reads or a
 * scaler watching a consumer group that does not exist fails here instead.
 */
class KubernetesManifestsTest {

    /** The tests run in e2e-tests/. */
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path OVERLAYS = REPOSITORY.resolve("deploy/k8s/overlays");
    /** The Secrets the operator of the stack creates; the manifests leave them out on purpose. */
    private static final Path SECRETS_EXAMPLE = REPOSITORY.resolve("deploy/k8s/base/secrets.example.yml");
    private static final YAMLMapper YAML = new YAMLMapper();

    /**
     * Spring Boot properties the manifests may set although no application.yml names them: Boot's
     * default serves on a developer's machine, not in a pod or against a secured broker. A name
     * ending in {@code _} is a prefix.
     */
    private static final Map<String, String> BOOT_PROPERTIES = Map.ofEntries(
            entry("SERVER_ADDRESS", "loopback in the local profile; the pod's network in a container"),
            entry("MANAGEMENT_SERVER_ADDRESS", "the same, for actuator's port (probes, Prometheus)"),
            entry("SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE", "graceful shutdown within the pod's termination grace period"),
            entry("SPRING_CONFIG_IMPORT", "the tenants file, mounted from its Secret"),
            entry("SPRING_PROFILES_ACTIVE", "no profile outside a developer's machine; an environment may name one"),
            entry("JAVA_TOOL_OPTIONS", "read by the JVM itself, for heap or agent settings"),
            entry("SPRING_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT unless the brokers want SASL or TLS"),
            entry("SPRING_KAFKA_PROPERTIES_", "handed to the Kafka clients as they are (sasl.mechanism, sasl.jaas.config)"),
            entry("SPRING_KAFKA_SSL_", "the trust store of brokers whose certificates a private CA signed"),
            // Credentials are in no application.yml outside the local profile: StartupChecks requires them.
            entry("SPRING_DATA_REDIS_USERNAME", "a Redis ACL user; `default` without it"),
            entry("SPRING_DATA_REDIS_PASSWORD", "credential, from a Secret"),
            entry("SPRING_RABBITMQ_USERNAME", "credential, from a Secret"),
            entry("SPRING_RABBITMQ_PASSWORD", "credential, from a Secret"),
            entry("SPRING_DATASOURCE_USERNAME", "credential, from a Secret"),
            entry("SPRING_DATASOURCE_PASSWORD", "credential, from a Secret"));

    /**
     * Switchboard properties whose default lives in a properties record, not in application.yml:
     * the variable, the record's source and the record component it binds, checked in that source.
     */
    private static final Map<String, RecordComponent> RECORD_PROPERTIES = Map.of(
            "SWITCHBOARD_KAFKA_REPLICAS",
            new RecordComponent("platform-support/src/main/java/io/switchboard/platform/PlatformProperties.java", "Kafka", "replicas"));

    private static final Map<String, String> KEDA_SASL = Map.of(
            "SCRAM-SHA-512", "scram_sha512", "SCRAM-SHA-256", "scram_sha256", "PLAIN", "plaintext");

    private static final Map<String, Manifests> overlays = new TreeMap<>();
    private static final AtomicInteger containers = new AtomicInteger();
    private static final AtomicInteger probes = new AtomicInteger();
    private static final AtomicInteger variables = new AtomicInteger();
    private static final AtomicInteger secretKeys = new AtomicInteger();
    private static final AtomicInteger configMapKeys = new AtomicInteger();
    private static final AtomicInteger triggers = new AtomicInteger();

    @BeforeAll
    static void renderEveryOverlay() throws IOException {
        try (Stream<Path> entries = Files.list(OVERLAYS)) {
            entries.filter(Files::isDirectory).sorted()
                    .forEach(overlay -> overlays.put(overlay.getFileName().toString(), new Manifests(kustomize(overlay))));
        }
        assertThat(overlays).as("the overlays of %s", OVERLAYS).containsKeys("dev", "prod");
    }

    @AfterAll
    static void summary() {
        System.out.printf("Manifests: %d overlays, %d containers, %d probes, %d env vars, %d secret keys, %d ConfigMap keys,"
                        + " %d KEDA triggers checked%n", overlays.size(), containers.get(), probes.get(), variables.get(),
                secretKeys.get(), configMapKeys.get(), triggers.get());
    }

    @Test
    void everyContainerListensAndIsProbedOnThePortsItsServiceConfigures() {
        overlays.forEach((overlay, manifests) -> manifests.deployments().forEach(deployment -> {
            Service service = Service.of(name(deployment));
            JsonNode pod = deployment.path("spec").path("template");
            for (JsonNode container : pod.path("spec").path("containers")) {
                containers.incrementAndGet();
                String where = overlay + ": " + service.module() + "/" + text(container.path("name"));
                Map<String, Integer> ports = new HashMap<>();
                container.path("ports").forEach(port -> ports.put(text(port.path("name")), port.path("containerPort").asInt()));
                assertThat(ports).as("%s: ports named http (server.port) and management (management.server.port)", where)
                        .containsEntry("http", service.serverPort())
                        .containsEntry("management", service.managementPort());
                probe(where, container, "startupProbe", "/actuator/health/liveness", false);
                probe(where, container, "livenessProbe", "/actuator/health/liveness", true);
                probe(where, container, "readinessProbe", "/actuator/health/readiness", true);
            }
            assertThat(text(pod.path("metadata").path("annotations").path("prometheus.io/port")))
                    .as("%s: the prometheus.io/port annotation", overlay + ": " + service.module())
                    .isEqualTo(String.valueOf(service.managementPort()));
        }));
        overlays.forEach((overlay, manifests) -> manifests.ofKind("Service").forEach(service -> {
            assertThat(service.path("spec").path("ports").values()).as("%s: Service %s exposes the API port only", overlay, name(service))
                    .allSatisfy(port -> assertThat(text(port.path("targetPort"))).isEqualTo("http"));
        }));
    }

    @Test
    void everyEnvironmentVariableSetsAPropertyTheServiceReads() {
        overlays.forEach((overlay, manifests) -> manifests.deployments().forEach(deployment -> {
            Service service = Service.of(name(deployment));
            for (JsonNode container : containers(deployment)) {
                for (String variable : manifests.environment(container).keySet()) {
                    variables.incrementAndGet();
                    assertThat(service.reads(variable))
                            .as("%s: %s sets %s, which %s does not read (no property like %s in its application.yml, and not one"
                                            + " of the Spring Boot properties this test knows the services rely on)", overlay,
                                    service.module(), variable, service.module(), Service.property(variable))
                            .isTrue();
                }
            }
        }));
    }

    @Test
    void everySecretAndConfigMapKeyReferencedIsDefined() {
        Defined example = Defined.secretsExample();
        overlays.forEach((overlay, manifests) -> {
            Defined secrets = example.and(manifests.definedSecrets()).and(manifests.operatorSecrets());
            Defined configMaps = manifests.definedConfigMaps();
            manifests.deployments().forEach(deployment -> {
                String workload = overlay + ": " + name(deployment);
                for (JsonNode container : containers(deployment)) {
                    for (JsonNode variable : container.path("env")) {
                        JsonNode from = variable.path("valueFrom");
                        String what = workload + " " + text(variable.path("name"));
                        if (from.has("secretKeyRef")) {
                            secretKeys.incrementAndGet();
                            secrets.require(what, from.path("secretKeyRef"), from.path("secretKeyRef").path("optional").asBoolean(false));
                        }
                        if (from.has("configMapKeyRef")) {
                            configMapKeys.incrementAndGet();
                            configMaps.require(what, from.path("configMapKeyRef"), from.path("configMapKeyRef").path("optional").asBoolean(false));
                        }
                    }
                    for (JsonNode source : container.path("envFrom")) {
                        assertThat(source.has("configMapRef")).as("%s: envFrom takes ConfigMaps only, whose keys this test can see", workload).isTrue();
                        assertThat(configMaps.keys(text(source.path("configMapRef").path("name"))))
                                .as("%s imports the ConfigMap %s", workload, text(source.path("configMapRef").path("name"))).isNotNull();
                    }
                }
                for (JsonNode volume : deployment.path("spec").path("template").path("spec").path("volumes")) {
                    JsonNode secret = volume.path("secret");
                    for (JsonNode item : secret.path("items")) {
                        secretKeys.incrementAndGet();
                        secrets.require(workload + " volume " + text(volume.path("name")),
                                text(secret.path("secretName")), text(item.path("key")), secret.path("optional").asBoolean(false));
                    }
                }
            });
            // KEDA reads an absent key as empty, so a key the example documents without setting will do.
            manifests.ofKind("TriggerAuthentication").forEach(authentication -> {
                String what = overlay + ": TriggerAuthentication " + name(authentication);
                for (JsonNode reference : authentication.path("spec").path("secretTargetRef")) {
                    secretKeys.incrementAndGet();
                    secrets.require(what + " " + text(reference.path("parameter")), reference, true);
                }
                for (JsonNode reference : authentication.path("spec").path("configMapTargetRef")) {
                    configMapKeys.incrementAndGet();
                    configMaps.require(what + " " + text(reference.path("parameter")), reference, false);
                }
            });
        });
    }

    @Test
    void kedaScalesOnTheConsumerGroupsTopicsAndQueuesTheListenersUse() {
        Map<String, String> topics = stringConstants(read(REPOSITORY.resolve("common-events/src/main/java/io/switchboard/events/Topics.java")));
        Map<String, String> queues = stringConstants(read(REPOSITORY.resolve("common-events/src/main/java/io/switchboard/events/TaskQueues.java")));
        overlays.forEach((overlay, manifests) -> {
            assertThat(manifests.ofKind("ScaledObject")).as("%s: ScaledObjects", overlay).isNotEmpty();
            manifests.ofKind("ScaledObject").forEach(scaledObject -> {
                String target = text(scaledObject.path("spec").path("scaleTargetRef").path("name"));
                JsonNode deployment = manifests.named("Deployment", target);
                assertThat(deployment).as("%s: the Deployment %s that ScaledObject %s scales", overlay, target, name(scaledObject)).isNotNull();
                assertThat(deployment.path("spec").has("replicas")).as("%s: %s leaves its replicas to KEDA", overlay, target).isFalse();
                Listeners listeners = Listeners.of(target, topics, queues);
                Map<String, String> environment = manifests.environment(containers(deployment).getFirst());
                Set<Listeners.Consumer> scaledOn = new LinkedHashSet<>();
                Set<String> scaledOnQueues = new LinkedHashSet<>();
                for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
                    triggers.incrementAndGet();
                    String what = overlay + ": " + target + " trigger " + text(trigger.path("name"));
                    JsonNode metadata = trigger.path("metadata");
                    JsonNode authentication = manifests.named("TriggerAuthentication", text(trigger.path("authenticationRef").path("name")));
                    assertThat(authentication).as("%s: its TriggerAuthentication", what).isNotNull();
                    switch (text(trigger.path("type"))) {
                        case "kafka" -> {
                            Listeners.Consumer consumer = new Listeners.Consumer(text(metadata.path("consumerGroup")), text(metadata.path("topic")));
                            assertThat(topics).as("%s: topic %s is one of Topics", what, consumer.topic()).containsValue(consumer.topic());
                            assertThat(listeners.kafka()).as("%s: a @KafkaListener of %s reads %s in group %s", what, target,
                                    consumer.topic(), consumer.group()).contains(consumer);
                            scaledOn.add(consumer);
                            String bootstrap = text(metadata.path("bootstrapServersFromEnv"));
                            assertThat(environment).as("%s: bootstrapServersFromEnv names a variable of %s", what, target).containsKey(bootstrap);
                            kafkaAuthenticationAgrees(what, manifests, authentication, environment);
                        }
                        case "rabbitmq" -> {
                            String queue = text(metadata.path("queueName"));
                            assertThat(queue).as("%s: a work queue, TaskQueues.WORK_QUEUE or BACKGROUND_WORK_QUEUE", what)
                                    .isIn(queues.get("WORK_QUEUE"), queues.get("BACKGROUND_WORK_QUEUE"));
                            assertThat(listeners.rabbit()).as("%s: a @RabbitListener of %s takes from %s", what, target, queue).contains(queue);
                            scaledOnQueues.add(queue);
                            rabbitAddressAgrees(what, manifests, authentication, environment);
                        }
                        default -> fail("%s: a trigger of type %s, which this test does not know", what, text(trigger.path("type")));
                    }
                }
                assertThat(scaledOn).as("%s: %s scales on the lag of every consumer group and topic its listeners read", overlay, target)
                        .containsAll(listeners.kafka());
                assertThat(scaledOnQueues).as("%s: %s scales on every queue its listeners take from", overlay, target)
                        .containsAll(listeners.rabbit());
            });
        });
    }

    @Test
    void everyDeploymentHasADisruptionBudgetThatStillLetsANodeDrain() {
        overlays.forEach((overlay, manifests) -> manifests.deployments().forEach(deployment -> {
            String name = name(deployment);
            JsonNode labels = deployment.path("spec").path("template").path("metadata").path("labels");
            List<JsonNode> budgets = manifests.ofKind("PodDisruptionBudget").stream()
                    .filter(budget -> selects(budget.path("spec").path("selector"), labels)).toList();
            assertThat(budgets).as("%s: the PodDisruptionBudget of %s", overlay, name).hasSize(1);
            JsonNode scaledObject = manifests.ofKind("ScaledObject").stream()
                    .filter(scaled -> name.equals(text(scaled.path("spec").path("scaleTargetRef").path("name")))).findFirst().orElse(null);
            int replicas = scaledObject == null ? deployment.path("spec").path("replicas").asInt(1)
                    : scaledObject.path("spec").path("minReplicaCount").asInt();
            int minAvailable = budgets.getFirst().path("spec").path("minAvailable").asInt();
            assertThat(minAvailable).as("%s: minAvailable of %s, below its %d replicas (or 0)", overlay, name, replicas)
                    .isLessThan(Math.max(replicas, 1));
        }));
    }

    @Test
    void prometheusScrapesEveryPodOnItsManagementPort() {
        overlays.forEach((overlay, manifests) -> {
            List<JsonNode> monitors = manifests.ofKind("PodMonitor");
            assertThat(monitors).as("%s: a PodMonitor", overlay).isNotEmpty();
            manifests.deployments().forEach(deployment -> assertThat(monitors).as("%s: a PodMonitor scraping %s on port management at"
                    + " /actuator/prometheus", overlay, name(deployment)).anySatisfy(monitor -> {
                assertThat(selects(monitor.path("spec").path("selector"), deployment.path("spec").path("template").path("metadata").path("labels"))).isTrue();
                assertThat(monitor.path("spec").path("podMetricsEndpoints").values()).anySatisfy(endpoint -> {
                    assertThat(text(endpoint.path("port"))).isEqualTo("management");
                    assertThat(text(endpoint.path("path"))).isEqualTo("/actuator/prometheus");
                });
            }));
        });
    }

    /** KEDA's user and mode agree with the services' where both are in the manifests. */
    private static void kafkaAuthenticationAgrees(String what, Manifests manifests, JsonNode authentication, Map<String, String> environment) {
        Map<String, String> fromConfigMaps = manifests.configMapParameters(authentication);
        String protocol = environment.get("SPRING_KAFKA_SECURITY_PROTOCOL");
        if (protocol != null && fromConfigMaps.containsKey("tls")) {
            assertThat(fromConfigMaps.get("tls")).as("%s: KEDA's tls for %s", what, protocol).isEqualTo(protocol.endsWith("SSL") ? "enable" : "disable");
        }
        String mechanism = environment.get("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM");
        if (mechanism != null && fromConfigMaps.containsKey("sasl")) {
            assertThat(fromConfigMaps.get("sasl")).as("%s: KEDA's sasl for %s", what, mechanism).isEqualTo(KEDA_SASL.get(mechanism));
        }
        List<String> users = manifests.ofKind("KafkaUser").stream().map(KubernetesManifestsTest::name).toList();
        if (fromConfigMaps.containsKey("username") && !users.isEmpty()) {
            assertThat(users).as("%s: KEDA's Kafka user is a KafkaUser", what).contains(fromConfigMaps.get("username"));
        }
    }

    /** An AMQP address KEDA takes from a ConfigMap is where the services connect. */
    private static void rabbitAddressAgrees(String what, Manifests manifests, JsonNode authentication, Map<String, String> environment) {
        String address = manifests.configMapParameters(authentication).get("host");
        if (address != null) {
            URI uri = URI.create(address);
            assertThat(uri.getHost() + ":" + uri.getPort()).as("%s: KEDA's RabbitMQ address", what)
                    .isEqualTo(environment.get("SPRING_RABBITMQ_HOST") + ":" + environment.get("SPRING_RABBITMQ_PORT"));
        }
    }

    private static void probe(String where, JsonNode container, String probe, String path, boolean required) {
        JsonNode get = container.path(probe).path("httpGet");
        if (!required && get.isMissingNode()) {
            return;
        }
        probes.incrementAndGet();
        assertThat(text(get.path("path"))).as("%s: %s path", where, probe).isEqualTo(path);
        assertThat(text(get.path("port"))).as("%s: %s port", where, probe).isEqualTo("management");
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        JsonNode matchLabels = selector.path("matchLabels");
        return !matchLabels.isEmpty() && !selector.has("matchExpressions")
                && matchLabels.properties().stream().allMatch(label -> Objects.equals(text(label.getValue()), text(labels.path(label.getKey()))));
    }

    private static List<JsonNode> containers(JsonNode deployment) {
        return List.copyOf(deployment.path("spec").path("template").path("spec").path("containers").values());
    }

    private static String name(JsonNode resource) {
        return text(resource.path("metadata").path("name"));
    }

    private static String text(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() || node.isObject() || node.isArray() ? null : node.asString();
    }

    /** The string constants of a class's source, by name. */
    private static Map<String, String> stringConstants(String code) {
        Map<String, String> constants = new LinkedHashMap<>();
        Pattern.compile("static final String (\\w+) =\\s*\"([^\"]*)\";").matcher(code).results()
                .forEach(match -> constants.put(match.group(1), match.group(2)));
        return constants;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static List<JsonNode> documents(String yaml) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            return documents.readAll().stream().filter(document -> document != null && document.isObject()).toList();
        }
    }

    private static String kustomize(Path overlay) {
        Path errors = null;
        try {
            errors = Files.createTempFile("kustomize", ".err");
            Process process;
            try {
                process = new ProcessBuilder("kubectl", "kustomize", overlay.toString()).redirectError(errors.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("kubectl is not on the PATH: this test renders " + overlay + " with `kubectl kustomize`"
                        + " (kubectl 1.27 or later, which has kustomize built in). Install kubectl to run it.", e);
            }
            String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("kubectl kustomize %s finished", overlay).isTrue();
            assertThat(process.exitValue()).as("kubectl kustomize %s: %s", overlay, Files.readString(errors)).isZero();
            return rendered;
        } catch (IOException e) {
            throw new IllegalStateException("rendering " + overlay, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("rendering " + overlay, e);
        } finally {
            if (errors != null) {
                errors.toFile().delete();
            }
        }
    }

    /** One overlay, rendered. */
    private record Manifests(List<JsonNode> resources) {

        Manifests(String rendered) {
            this(documents(rendered));
        }

        List<JsonNode> ofKind(String kind) {
            return resources.stream().filter(resource -> kind.equals(text(resource.path("kind")))).toList();
        }

        List<JsonNode> deployments() {
            List<JsonNode> deployments = ofKind("Deployment");
            assertThat(deployments).as("Deployments").isNotEmpty();
            return deployments;
        }

        JsonNode named(String kind, String name) {
            return ofKind(kind).stream().filter(resource -> Objects.equals(name, name(resource))).findFirst().orElse(null);
        }

        /** What a container's process sees: its ConfigMaps' keys, then its own variables (values of literals only). */
        Map<String, String> environment(JsonNode container) {
            Map<String, String> environment = new LinkedHashMap<>();
            for (JsonNode source : container.path("envFrom")) {
                JsonNode configMap = named("ConfigMap", text(source.path("configMapRef").path("name")));
                if (configMap != null) {
                    configMap.path("data").properties().forEach(key -> environment.put(key.getKey(), text(key.getValue())));
                }
            }
            container.path("env").forEach(variable -> environment.put(text(variable.path("name")), text(variable.path("value"))));
            return environment;
        }

        /** The parameters a TriggerAuthentication takes from ConfigMaps, with their values. */
        Map<String, String> configMapParameters(JsonNode authentication) {
            Map<String, String> parameters = new HashMap<>();
            for (JsonNode reference : authentication.path("spec").path("configMapTargetRef")) {
                JsonNode configMap = named("ConfigMap", text(reference.path("name")));
                if (configMap != null && configMap.path("data").has(text(reference.path("key")))) {
                    parameters.put(text(reference.path("parameter")), text(configMap.path("data").path(text(reference.path("key")))));
                }
            }
            return parameters;
        }

        Defined definedConfigMaps() {
            return Defined.of(ofKind("ConfigMap"));
        }

        Defined definedSecrets() {
            return Defined.of(ofKind("Secret"));
        }

        /**
         * The Secrets the brokers' operators make for the resources in this overlay, with the keys
         * their documentation gives: Strimzi's User Operator for a SCRAM-SHA-512 KafkaUser (the
         * user's name), its Cluster Operator for a Kafka's cluster CA ({@code <cluster>-cluster-ca-cert}),
         * the RabbitMQ Cluster Operator for a RabbitmqCluster's default user ({@code <cluster>-default-user}).
         */
        Defined operatorSecrets() {
            Map<String, Set<String>> keys = new HashMap<>();
            ofKind("KafkaUser").stream()
                    .filter(user -> "scram-sha-512".equals(text(user.path("spec").path("authentication").path("type"))))
                    .forEach(user -> keys.put(name(user), Set.of("password", "sasl.jaas.config")));
            ofKind("Kafka").forEach(kafka -> keys.put(name(kafka) + "-cluster-ca-cert", Set.of("ca.crt", "ca.p12", "ca.password")));
            ofKind("RabbitmqCluster").forEach(rabbit -> keys.put(name(rabbit) + "-default-user",
                    Set.of("username", "password", "host", "port", "connection_string", "default_user.conf", "provider", "type")));
            return new Defined(keys, Map.of());
        }
    }

    /** Secrets or ConfigMaps by name, with the keys they set and, from the example, the keys it documents as optional. */
    private record Defined(Map<String, Set<String>> keys, Map<String, Set<String>> documented) {

        static Defined of(List<JsonNode> resources) {
            Map<String, Set<String>> keys = new HashMap<>();
            resources.forEach(resource -> keys.put(name(resource), Stream.of("data", "stringData", "binaryData")
                    .flatMap(field -> resource.path(field).propertyNames().stream()).collect(Collectors.toSet())));
            return new Defined(keys, Map.of());
        }

        /** The Secrets of secrets.example.yml: the keys it sets, and those it shows commented out ({@code  # key: ...}) as optional. */
        static Defined secretsExample() {
            String example = read(SECRETS_EXAMPLE);
            Defined defined = of(documents(example));
            Map<String, Set<String>> documented = new HashMap<>();
            Pattern optionalKey = Pattern.compile("^  # ([A-Za-z0-9._-]+):( |$)", Pattern.MULTILINE);
            for (String document : example.split("(?m)^---$")) {
                Matcher name = Pattern.compile("(?m)^  name: (\\S+)$").matcher(document);
                if (name.find()) {
                    documented.put(name.group(1), optionalKey.matcher(document).results().map(match -> match.group(1))
                            .collect(Collectors.toSet()));
                }
            }
            return new Defined(defined.keys(), documented);
        }

        Defined and(Defined other) {
            Map<String, Set<String>> keys = new HashMap<>(this.keys);
            keys.putAll(other.keys);
            Map<String, Set<String>> documented = new HashMap<>(this.documented);
            documented.putAll(other.documented);
            return new Defined(keys, documented);
        }

        Set<String> keys(String name) {
            return keys.get(name);
        }

        void require(String what, JsonNode reference, boolean optional) {
            require(what, text(reference.path("name")), text(reference.path("key")), optional);
        }

        void require(String what, String name, String key, boolean optional) {
            assertThat(keys).as("%s: %s is defined (rendered, made by an operator, or in secrets.example.yml)", what, name).containsKey(name);
            Set<String> known = new LinkedHashSet<>(keys.get(name));
            if (optional) {
                known.addAll(documented.getOrDefault(name, Set.of()));
            }
            assertThat(known).as("%s: the key %s of %s%s", what, key, name, optional ? " (set, or documented as optional)" : "").contains(key);
        }
    }

    /** A service: the properties its application.yml names (every profile) and its two ports. */
    private record Service(String module, Set<String> properties, int serverPort, int managementPort) {

        private static final Map<String, Service> SERVICES = new HashMap<>();

        static synchronized Service of(String module) {
            return SERVICES.computeIfAbsent(module, Service::load);
        }

        private static Service load(String module) {
            Path yml = REPOSITORY.resolve(module).resolve("src/main/resources/application.yml");
            assertThat(yml).as("the Deployment %s is a module of the build with an application.yml", module).isRegularFile();
            List<JsonNode> documents = documents(read(yml));
            Set<String> properties = new LinkedHashSet<>();
            documents.forEach(document -> flatten("", document, properties));
            JsonNode main = documents.getFirst();
            return new Service(module, properties, main.path("server").path("port").asInt(),
                    main.path("management").path("server").path("port").asInt());
        }

        private static void flatten(String prefix, JsonNode node, Set<String> into) {
            if (node.isObject() && !node.isEmpty()) {
                node.properties().forEach(child -> flatten(prefix.isEmpty() ? child.getKey() : prefix + "." + child.getKey(), child.getValue(), into));
            } else {
                into.add(prefix);
            }
        }

        /** The property an environment variable sets, as far as a name can tell (a dash may be an underscore too). */
        static String property(String variable) {
            return variable.toLowerCase(Locale.ROOT).replace('_', '.');
        }

        /**
         * Spring Boot's relaxed binding from the environment: the variables that set a property,
         * dots as underscores and dashes dropped (SPRING_KAFKA_BOOTSTRAPSERVERS) or, as Boot also
         * accepts, as underscores (SPRING_KAFKA_BOOTSTRAP_SERVERS).
         */
        static Set<String> variables(String property) {
            String upper = property.toUpperCase(Locale.ROOT).replace('.', '_');
            return new LinkedHashSet<>(List.of(upper.replace("-", ""), upper.replace('-', '_')));
        }

        boolean reads(String variable) {
            if (properties.stream().anyMatch(property -> variables(property).contains(variable))) {
                return true;
            }
            if (BOOT_PROPERTIES.keySet().stream().anyMatch(name -> name.endsWith("_") ? variable.startsWith(name) : variable.equals(name))) {
                return true;
            }
            RecordComponent component = RECORD_PROPERTIES.get(variable);
            return component != null && component.isIn(REPOSITORY);
        }
    }

    /** A component of a properties record, found in its source. */
    private record RecordComponent(String source, String record, String component) {

        boolean isIn(Path repository) {
            Matcher header = Pattern.compile("record " + record + "\\(([^{]*)\\)\\s*\\{").matcher(read(repository.resolve(source)));
            return header.find() && Pattern.compile("\\b" + component + "\\b").matcher(header.group(1)).find();
        }
    }

    /**
     * The consumers of a service, read from its source: each {@code @KafkaListener}'s group (its
     * groupId; else its id, as Spring Kafka takes it unless idIsGroup = false; else the service's
     * spring.kafka.consumer.group-id) with each topic, and each {@code @RabbitListener}'s queues.
     */
    private record Listeners(Set<Consumer> kafka, Set<String> rabbit) {

        record Consumer(String group, String topic) {
        }

        static Listeners of(String module, Map<String, String> topics, Map<String, String> queues) {
            Set<Consumer> kafka = new LinkedHashSet<>();
            Set<String> rabbit = new LinkedHashSet<>();
            String defaultGroup = text(documents(read(REPOSITORY.resolve(module).resolve("src/main/resources/application.yml"))).getFirst()
                    .path("spring").path("kafka").path("consumer").path("group-id"));
            try (Stream<Path> sources = Files.walk(REPOSITORY.resolve(module).resolve("src/main/java"))) {
                for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
                    String code = read(source);
                    Map<String, String> local = stringConstants(code);
                    for (Map<String, String> attributes : annotations(code, "@KafkaListener(")) {
                        List<String> ids = resolve(attributes.get("id"), local, topics, queues);
                        List<String> groupIds = resolve(attributes.get("groupId"), local, topics, queues);
                        String group = !groupIds.isEmpty() ? groupIds.getFirst()
                                : !ids.isEmpty() && !"false".equals(attributes.get("idIsGroup")) ? ids.getFirst() : defaultGroup;
                        resolve(attributes.get("topics"), local, topics, queues).stream()
                                .filter(topic -> !topic.startsWith("#{"))
                                .forEach(topic -> kafka.add(new Consumer(group, topic)));
                    }
                    for (Map<String, String> attributes : annotations(code, "@RabbitListener(")) {
                        rabbit.addAll(resolve(attributes.get("queues"), local, topics, queues));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("reading the sources of " + module, e);
            }
            return new Listeners(kafka, rabbit);
        }

        /** A value as written: a string, a constant (ours, Topics' or TaskQueues'), or {a, b} of those. */
        private static List<String> resolve(String value, Map<String, String> local, Map<String, String> topics, Map<String, String> queues) {
            if (value == null) {
                return List.of();
            }
            String trimmed = value.strip();
            if (trimmed.startsWith("{")) {
                return split(trimmed.substring(1, trimmed.length() - 1)).stream()
                        .flatMap(element -> resolve(element, local, topics, queues).stream()).toList();
            }
            if (trimmed.startsWith("\"")) {
                return List.of(trimmed.substring(1, trimmed.length() - 1));
            }
            String constant = trimmed.substring(trimmed.lastIndexOf('.') + 1);
            String resolved = trimmed.startsWith("Topics.") ? topics.get(constant)
                    : trimmed.startsWith("TaskQueues.") ? queues.get(constant) : local.get(constant);
            assertThat(resolved).as("the constant %s", trimmed).isNotNull();
            return List.of(resolved);
        }

        /** The attributes of every use of an annotation, by name, as written. */
        private static List<Map<String, String>> annotations(String code, String annotation) {
            List<Map<String, String>> found = new ArrayList<>();
            for (int start = code.indexOf(annotation); start >= 0; start = code.indexOf(annotation, start + 1)) {
                int open = start + annotation.length();
                int close = closing(code, open);
                Map<String, String> attributes = new HashMap<>();
                for (String attribute : split(code.substring(open, close))) {
                    int equals = attribute.indexOf('=');
                    attributes.put(attribute.substring(0, equals).strip(), attribute.substring(equals + 1).strip());
                }
                found.add(attributes);
            }
            return found;
        }

        /** The index of the parenthesis that closes the one before {@code from}, outside string literals. */
        private static int closing(String code, int from) {
            int depth = 1;
            boolean quoted = false;
            for (int i = from; i < code.length(); i++) {
                char c = code.charAt(i);
                if (c == '"' && code.charAt(i - 1) != '\\') {
                    quoted = !quoted;
                } else if (!quoted && c == '(') {
                    depth++;
                } else if (!quoted && c == ')' && --depth == 0) {
                    return i;
                }
            }
            throw new IllegalStateException("an annotation that does not close");
        }

        /** Splits at the commas outside string literals, parentheses and braces. */
        private static List<String> split(String text) {
            List<String> parts = new ArrayList<>();
            int depth = 0;
            boolean quoted = false;
            int from = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                    quoted = !quoted;
                } else if (!quoted && (c == '(' || c == '{')) {
                    depth++;
                } else if (!quoted && (c == ')' || c == '}')) {
                    depth--;
                } else if (!quoted && depth == 0 && c == ',') {
                    parts.add(text.substring(from, i));
                    from = i + 1;
                }
            }
            parts.add(text.substring(from));
            return parts.stream().map(String::strip).filter(part -> !part.isEmpty()).toList();
        }
    }
}
