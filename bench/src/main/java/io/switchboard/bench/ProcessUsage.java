package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Resident memory and CPU time of the platform's processes on this machine, read from {@code /proc}
 * (Linux), which also shows processes of other users such as RabbitMQ's. Processes are recognised by
 * their command lines: the five services ({@code java ... -jar .../gateway-service.jar}, or the
 * {@code -exec.jar} of the build), or all five in one JVM ({@code -jar .../single-process.jar}), the synchronous baseline's processes (a command line mentioning
 * {@code sync-chain} with {@code --chain.role=<role>}, named {@code sync-<role>}), Kafka
 * ({@code kafka.Kafka}), RabbitMQ (the {@code beam.smp} started with {@code -s rabbit}), Redis
 * ({@code redis-server}) and Memcached. CPU time counts from the process's start, so the CPU a run
 * used is the difference of two samples. Several processes of one name are added up.
 */
public final class ProcessUsage {

    static final List<String> SERVICES = List.of("gateway-service", "planner-service", "worker-service", "composer-service",
            "operations-service");
    /** The five services in one JVM ({@code single-process.jar}). */
    static final String SINGLE_PROCESS = "single-process";
    static final List<String> BROKERS = List.of("kafka", "rabbitmq", "redis", "memcached", "postgres");

    /** Clock ticks per second of utime and stime: USER_HZ, 100 on Linux. */
    private static final double CLOCK_TICKS = 100;
    private static final Path PROC = Path.of("/proc");

    private ProcessUsage() {
    }

    /** @param cpuSeconds user plus system time since the process started */
    public record Usage(long rssBytes, double cpuSeconds) {

        Usage plus(Usage other) {
            return new Usage(rssBytes + other.rssBytes, cpuSeconds + other.cpuSeconds);
        }
    }

    /** The processes found, by name: services first, then the synchronous baseline's, then the brokers. */
    public static Map<String, Usage> sample() {
        Map<String, Usage> found = new HashMap<>();
        try (Stream<Path> processes = Files.list(PROC)) {
            processes.filter(dir -> dir.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(dir -> {
                        try {
                            String name = nameOf(argv(Files.readAllBytes(dir.resolve("cmdline"))));
                            if (name != null) {
                                found.merge(name, usage(Files.readString(dir.resolve("status")),
                                        Files.readString(dir.resolve("stat"))), Usage::plus);
                            }
                        } catch (IOException ended) {
                            // the process exited while being read
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC, e);
        }
        Map<String, Usage> ordered = new LinkedHashMap<>();
        found.keySet().stream().sorted(Comparator.comparingInt(ProcessUsage::rank).thenComparing(name -> name))
                .forEach(name -> ordered.put(name, found.get(name)));
        return ordered;
    }

    private static int rank(String name) {
        if (SERVICES.contains(name)) {
            return SERVICES.indexOf(name);
        }
        return name.startsWith("sync-") || name.equals(SINGLE_PROCESS) ? SERVICES.size() : SERVICES.size() + 1 + BROKERS.indexOf(name);
    }

    static List<String> argv(byte[] cmdline) {
        String joined = new String(cmdline, StandardCharsets.UTF_8);
        return joined.isEmpty() ? List.of() : Arrays.asList(joined.split("\0"));
    }

    /** The name a command line is reported under, or null if it is none of the platform's processes. */
    static String nameOf(List<String> argv) {
        if (argv.isEmpty()) {
            return null;
        }
        if (argv.stream().anyMatch(arg -> arg.contains("sync-chain"))) {
            String role = argv.stream().filter(arg -> arg.startsWith("--chain.role="))
                    .map(arg -> arg.substring("--chain.role=".length())).findFirst().orElse(null);
            if (role != null) {
                return "sync-" + role;
            }
        }
        int jar = argv.indexOf("-jar");
        if (jar >= 0 && jar + 1 < argv.size()) {
            String file = Path.of(argv.get(jar + 1)).getFileName().toString();
            for (String service : SERVICES) {
                if (file.equals(service + ".jar") || file.equals(service + "-exec.jar")) {
                    return service;
                }
            }
            if (file.equals(SINGLE_PROCESS + ".jar")) {
                return SINGLE_PROCESS;
            }
        }
        if (argv.contains("kafka.Kafka")) {
            return "kafka";
        }
        String program = Path.of(argv.getFirst().split(" ")[0]).getFileName().toString();
        int start = argv.indexOf("-s");
        return switch (program) {
            case "beam.smp" -> start >= 0 && start + 1 < argv.size() && argv.get(start + 1).equals("rabbit") ? "rabbitmq" : null;
            case "redis-server" -> "redis";
            case "memcached" -> "memcached";
            case "postgres", "postgres:" -> "postgres";
            default -> null;
        };
    }

    /** VmRSS from {@code /proc/<pid>/status}, utime and stime from {@code /proc/<pid>/stat}. */
    static Usage usage(String status, String stat) {
        long rssKb = status.lines().filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.substring(6).trim().split("\\s+")[0]))
                .findFirst().orElse(0);
        // Fields after the command name, which is in parentheses and may contain spaces: state is
        // field 3, utime 14 and stime 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
        return new Usage(rssKb * 1024, ticks / CLOCK_TICKS);
    }
}
