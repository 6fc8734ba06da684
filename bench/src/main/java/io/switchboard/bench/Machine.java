package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The machine a benchmark ran on, and the versions of what it ran, as a Markdown list. */
final class Machine {

    private Machine() {
    }

    static String describe() {
        return String.join("\n", List.of(
                "- CPU: " + Runtime.getRuntime().availableProcessors() + " cores, " + procLine("/proc/cpuinfo", "model name"),
                "- Memory: " + procLine("/proc/meminfo", "MemTotal"),
                "- Kernel: " + read("/proc/sys/kernel/osrelease") + "; Java " + System.getProperty("java.version")
                        + " (" + System.getProperty("java.vm.name") + ")",
                "- Brokers: Kafka " + kafkaVersion() + " (KRaft, one broker), " + command("rabbitmqctl", "version")
                        + " RabbitMQ, " + command("redis-server", "--version").replaceAll(" sha=.*", "") + ", "
                        + command("memcached", "-V"),
                "- Everything on this one machine: brokers, services, load generator.")) + "\n";
    }

    private static String procLine(String file, String key) {
        try (Stream<String> lines = Files.lines(Path.of(file))) {
            return lines.filter(line -> line.startsWith(key)).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String kafkaVersion() {
        try (Stream<Path> libs = Files.list(Path.of(".switchboard/kafka/libs"))) {
            return libs.map(path -> path.getFileName().toString()).filter(name -> name.matches("kafka_2\\.13-.*\\.jar"))
                    .findFirst().map(name -> name.substring("kafka_2.13-".length(), name.length() - 4)).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String command(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? output.lines().findFirst().orElse("") : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
