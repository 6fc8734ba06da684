package io.switchboard.e2e;

import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What {@code deploy/} says about observing the platform: the Grafana dashboards' panels with their
 * PromQL, the alert rules of {@code deploy/prometheus/rules}, and {@code promtool}, Prometheus' own
 * checker, which {@code ./switchboard test} installs with Debian's {@code prometheus} package.
 */
final class Observability {

    static final Path PROMETHEUS = Path.of("..", "deploy", "prometheus").toAbsolutePath().normalize();
    static final Path GRAFANA = Path.of("..", "deploy", "grafana").toAbsolutePath().normalize();
    static final YAMLMapper YAML = new YAMLMapper();

    /** One query of a dashboard panel. */
    record Panel(String dashboard, String title, String expr) {

        /** The query as Grafana sends it with every tenant selected and the given rate interval. */
        String query(String rateInterval) {
            return expr.replace("$__rate_interval", rateInterval).replace("$tenant", ".*");
        }
    }

    /** An alert rule: its name, expression, labels and annotations as written. */
    record Alert(String name, String expr, JsonNode labels, JsonNode annotations) {
    }

    private Observability() {
    }

    static List<Path> dashboards() {
        try (Stream<Path> files = Files.list(GRAFANA)) {
            return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode dashboard(Path file) {
        return EventCodec.mapper().readTree(read(file));
    }

    /** Every target of every panel of every dashboard, in the order they appear. */
    static List<Panel> panels() {
        List<Panel> panels = new ArrayList<>();
        for (Path file : dashboards()) {
            JsonNode dashboard = dashboard(file);
            dashboard.get("panels").forEach(panel -> panel.path("targets").forEach(target -> panels.add(
                    new Panel(dashboard.get("title").asString(), panel.get("title").asString(), target.get("expr").asString()))));
        }
        return panels;
    }

    static List<Path> ruleFiles() {
        try (Stream<Path> files = Files.list(PROMETHEUS.resolve("rules"))) {
            return files.filter(file -> file.toString().endsWith(".rules.yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> ruleTests() {
        try (Stream<Path> files = Files.list(PROMETHEUS.resolve("tests"))) {
            return files.filter(file -> file.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every alerting rule of the rule files; recording rules are left out. */
    static List<Alert> alerts() {
        List<Alert> alerts = new ArrayList<>();
        for (Path file : ruleFiles()) {
            YAML.readTree(read(file)).get("groups").forEach(group -> group.get("rules").forEach(rule -> {
                if (rule.has("alert")) {
                    alerts.add(new Alert(rule.get("alert").asString(), rule.get("expr").asString().strip(),
                            rule.path("labels"), rule.path("annotations")));
                }
            }));
        }
        return alerts;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Runs promtool with the arguments; its exit code and output. Fails the test clearly if promtool is missing. */
    static Result promtool(String... arguments) {
        List<String> command = new ArrayList<>(List.of(executable("promtool")));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(PROMETHEUS.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 2 minutes:\n" + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * The path of {@code prometheus} or {@code promtool}: from Debian's {@code prometheus} package
     * (2.42 or later), which {@code ./switchboard test} installs.
     */
    static String executable(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(name + " is not on the PATH: these tests check deploy/prometheus and deploy/grafana with "
                + "Prometheus' own tools. ./switchboard test installs them (Debian's package: "
                + "apt-get install --no-install-recommends prometheus).");
    }

    record Result(int exitCode, String output) {
    }
}
