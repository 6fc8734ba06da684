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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The four services as separate processes, started from their executable jars on ports apart
 * from the standard ones, so a stack started with {@code ./switchboard up} can keep running.
 */
final class Platform implements AutoCloseable {

    static final int GATEWAY_PORT = 18080;
    private static final List<String> SERVICES = List.of("gateway-service", "planner-service", "worker-service", "composer-service");

    private final List<Process> processes = new ArrayList<>();

    static Platform start() throws IOException {
        Platform platform = new Platform();
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 0; i < SERVICES.size(); i++) {
            String service = SERVICES.get(i);
            Path jar = Path.of("..", service, "target", service + "-exec.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing; build the services first (./mvnw package)");
            }
            platform.processes.add(new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-jar", jar.toString(), "--server.port=" + (GATEWAY_PORT + i), "--spring.profiles.active=local")
                    .redirectErrorStream(true)
                    .redirectOutput(logs.resolve(service + ".log").toFile())
                    .start());
        }
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < SERVICES.size(); i++) {
            URI readiness = URI.create("http://127.0.0.1:" + (GATEWAY_PORT + i) + "/actuator/health/readiness");
            Process process = platform.processes.get(i);
            String service = SERVICES.get(i);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(service + " exited; see target/e2e-logs/" + service + ".log");
                }
                return ready(http, readiness);
            });
        }
        return platform;
    }

    private static boolean ready(HttpClient http, URI readiness) {
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
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
