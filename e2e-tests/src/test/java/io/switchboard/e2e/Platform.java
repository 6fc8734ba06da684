package io.switchboard.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The services as separate processes, started from their executable jars on ports apart from the
 * standard ones (gateway 18080, planner 18081, worker 18082, composer 18083, operations 18084,
 * more workers from 18085, more gateways after those), so a stack started with
 * {@code ./switchboard up} can keep running. Every gateway routes dead-letter requests to the
 * operations service on 18084. A process can be killed and started again.
 */
final class Platform implements AutoCloseable {

    static final int GATEWAY_PORT = 18080;
    private static final List<String> SERVICES = List.of("gateway-service", "planner-service", "worker-service", "composer-service",
            "operations-service");
    static final int OPERATIONS_PORT = GATEWAY_PORT + SERVICES.indexOf("operations-service");

    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final List<String> arguments;
    private final HttpClient http = HttpClient.newHttpClient();

    private Platform(List<String> arguments) {
        this.arguments = arguments;
    }

    static Platform start() throws IOException {
        return start(List.of(), 1);
    }

    /** Starts every service, with {@code workers} worker processes, each given {@code arguments}. */
    static Platform start(List<String> arguments, int workers) throws IOException {
        return start(arguments, workers, 1);
    }

    /**
     * Starts every service, with {@code workers} worker and {@code gateways} gateway processes, each
     * given {@code arguments}. The gateways after the first listen on the ports after the workers'.
     */
    static Platform start(List<String> arguments, int workers, int gateways) throws IOException {
        Platform platform = new Platform(arguments);
        for (int i = 0; i < SERVICES.size(); i++) {
            platform.instances.put(SERVICES.get(i), new Instance(SERVICES.get(i), SERVICES.get(i), GATEWAY_PORT + i));
        }
        platform.addMore("worker-service", workers, GATEWAY_PORT + SERVICES.size());
        platform.addMore("gateway-service", gateways, GATEWAY_PORT + SERVICES.size() + Math.max(workers, 1) - 1);
        return platform.launchAll();
    }

    /**
     * Starts {@code gateways} gateway processes and nothing else, on the ports {@link #start(List, int, int)}
     * gives them with one worker: for what needs only the API, Kafka's acknowledgement and Redis.
     */
    static Platform startGateways(List<String> arguments, int gateways) throws IOException {
        Platform platform = new Platform(arguments);
        platform.instances.put("gateway-service", new Instance("gateway-service", "gateway-service", GATEWAY_PORT));
        platform.addMore("gateway-service", gateways, GATEWAY_PORT + SERVICES.size());
        return platform.launchAll();
    }

    /** Instances 2 to {@code count} of a module, named {@code <module>-<n>}, from {@code firstPort}. */
    private void addMore(String module, int count, int firstPort) {
        for (int n = 2; n <= count; n++) {
            instances.put(module + "-" + n, new Instance(module + "-" + n, module, firstPort + n - 2));
        }
    }

    private Platform launchAll() throws IOException {
        for (Instance instance : instances.values()) {
            launch(instance);
        }
        for (Instance instance : instances.values()) {
            awaitReady(instance);
        }
        return this;
    }

    /**
     * The names of the running instances: the modules, and {@code worker-service-2},
     * {@code gateway-service-2} and on for more workers and gateways.
     */
    List<String> names() {
        return List.copyOf(instances.keySet());
    }

    int port(String name) {
        return instances.get(name).port;
    }

    long pid(String name) {
        return instances.get(name).process.pid();
    }

    boolean alive(String name) {
        return instances.get(name).process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful stop, unacknowledged work stays with the brokers. */
    void kill(String name) throws InterruptedException {
        instances.get(name).process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts a killed instance again and waits until it is ready. */
    void restart(String name) throws IOException {
        Instance instance = instances.get(name);
        launch(instance);
        awaitReady(instance);
    }

    private void launch(Instance instance) throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = Path.of("..", instance.module, "target", instance.module + "-exec.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing; build the services first (./mvnw package)");
        }
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString(), "--server.port=" + instance.port, "--spring.profiles.active=local"));
        if (instance.module.equals("gateway-service")) {
            command.add("--switchboard.operations.url=http://127.0.0.1:" + OPERATIONS_PORT);
        }
        command.addAll(arguments);
        instance.process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(instance.name + ".log").toFile()))
                .start();
    }

    private void awaitReady(Instance instance) {
        URI readiness = URI.create("http://127.0.0.1:" + instance.port + "/actuator/health/readiness");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!instance.process.isAlive()) {
                throw new IllegalStateException(instance.name + " exited; see target/e2e-logs/" + instance.name + ".log");
            }
            return ready(readiness);
        });
    }

    private boolean ready(URI readiness) {
        try {
            return http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        instances.values().forEach(instance -> instance.process.destroy());
        for (Instance instance : instances.values()) {
            if (!instance.process.waitFor(20, TimeUnit.SECONDS)) {
                instance.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static final class Instance {
        final String name;
        final String module;
        final int port;
        Process process;

        Instance(String name, String module, int port) {
            this.name = name;
            this.module = module;
            this.port = port;
        }
    }
}
