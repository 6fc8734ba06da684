package io.switchboard.bench.stack;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The platform's processes on this machine, for tests, fault drills and benchmarks: services
 * started as JVMs from their executable jars with the JVM options, ports and arguments the caller
 * wants, stopped, killed and restarted; and a broker stopped and started again with its own
 * commands, from the configuration and data the launcher ({@code ./switchboard infra}) wrote under
 * {@code .switchboard/}. It never calls the launcher: the launcher starts the brokers, this class
 * takes over from there.
 *
 * <p>Each service runs from a copy of its jar under {@code <work>/jars}, so that a rebuild never
 * rewrites a jar under a running JVM, and logs to {@code <work>/logs/<name>.log}. Whatever is still
 * running when the platform is closed, or when this JVM exits, is stopped.
 */
public final class Platform implements AutoCloseable {

    /** The five services, in the order of their ports from the first one given. */
    public static final List<String> SERVICES = List.of("gateway-service", "planner-service", "worker-service",
            "composer-service", "operations-service");
    /** The synchronous baseline's roles, one JVM of {@code sync-chain} each. */
    public static final List<String> BASELINE_ROLES = List.of("gateway", "planner", "worker", "composer");

    /**
     * Services behind the gateway run at a lower CPU priority, as {@code ./switchboard up} starts them:
     * on a machine they share, a backlog they work off does not slow down accepting runs.
     */
    static final List<String> PIPELINE_PRIORITY = List.of("nice", "-n", "10");
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Duration GRACE = Duration.ofSeconds(20);

    private final Path repo;
    private final Path work;
    private final List<String> jvmOptions;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    /** Where gateways route the dead-letter endpoints: the operations service this platform started. */
    private int operationsPort = -1;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread stopOnExit = new Thread(this::destroyAll, "platform-stop-on-exit");

    private Platform(Path repo, Path work, List<String> jvmOptions) {
        this.repo = repo.toAbsolutePath().normalize();
        this.work = work.toAbsolutePath().normalize();
        this.jvmOptions = List.copyOf(jvmOptions);
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Nothing started yet. {@code repo} is the checkout (the jars its build left in {@code <module>/target} and its
     * {@code .switchboard/} state), {@code work} where jar copies and logs go.
     */
    public static Platform create(Path repo, Path work, List<String> jvmOptions) {
        return new Platform(repo, work, jvmOptions);
    }

    /**
     * Starts the five services from {@code firstPort} on (gateway, planner, worker, composer,
     * operations), with {@code workers} worker and {@code gateways} gateway processes in all, each
     * given {@code arguments}; the instances after the first are named {@code <module>-<n>}, the
     * extra workers take the ports after the operations service's and the extra gateways the ports
     * after theirs. Every gateway routes the dead-letter endpoints to this operations service.
     * Returns once every instance is ready.
     */
    public Platform startServices(int firstPort, List<String> arguments, int workers, int gateways) {
        return startServices(firstPort, arguments, 1, workers, gateways);
    }

    /** As {@link #startServices(int, List, int, int)}, with {@code planners} planner processes in all, the extra ones on the ports after the extra gateways'. */
    public Platform startServices(int firstPort, List<String> arguments, int planners, int workers, int gateways) {
        operationsPort = firstPort + SERVICES.indexOf("operations-service");
        for (int i = 0; i < SERVICES.size(); i++) {
            launch(SERVICES.get(i), SERVICES.get(i), firstPort + i, arguments);
        }
        int next = firstPort + SERVICES.size();
        next = launchMore("worker-service", workers, next, arguments);
        next = launchMore("gateway-service", gateways, next, arguments);
        launchMore("planner-service", planners, next, arguments);
        return awaitReady();
    }

    /**
     * Starts the five services together in one JVM ({@code single-process}) with these JVM options, on
     * {@code firstPort} and the four ports after it as {@link #startServices} would, each given
     * {@code arguments}. They are named as when they run apart, and stopping one stops them all.
     * Returns once every one is ready.
     */
    public Platform startSingleProcess(int firstPort, List<String> singleJvmOptions, List<String> arguments) {
        Path launcher = repo.resolve("single-process").resolve("target").resolve("single-process.jar");
        if (!Files.exists(launcher)) {
            throw new IllegalStateException(launcher + " is missing; build it first (./mvnw -DskipTests package)");
        }
        operationsPort = firstPort + SERVICES.indexOf("operations-service");
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(singleJvmOptions);
        command.addAll(List.of("-jar", launcher.toString(), "--extract-to=" + work.resolve("single")));
        for (int i = 0; i < SERVICES.size(); i++) {
            if (listening(firstPort + i)) {
                throw new IllegalStateException("port " + (firstPort + i) + " is taken; stop what runs there first");
            }
            command.add(copyOfJar(SERVICES.get(i)).toString());
            command.addAll(serviceArguments(SERVICES.get(i), firstPort + i));
        }
        command.add("--");
        command.addAll(arguments);
        try {
            Path log = Files.createDirectories(work.resolve("logs")).resolve("single-process.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            for (int i = 0; i < SERVICES.size(); i++) {
                String module = SERVICES.get(i);
                int port = firstPort + i;
                instances.put(module, new Instance(module, module, port, List.copyOf(arguments), process, health(module, port), log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the single process", e);
        }
        return awaitReady();
    }

    /**
     * Starts {@code gateways} gateway processes and nothing else, the first on {@code firstPort} and
     * the others on the ports {@link #startServices} would give them with one worker.
     */
    public Platform startGateways(int firstPort, List<String> arguments, int gateways) {
        launch("gateway-service", "gateway-service", firstPort, arguments);
        launchMore("gateway-service", gateways, firstPort + SERVICES.size(), arguments);
        return awaitReady();
    }

    /**
     * Starts the synchronous baseline ({@code sync-chain}): one JVM per role, named {@code sync-<role>},
     * on {@code firstPort} and the three ports after it, each given {@code arguments}.
     */
    public Platform startBaseline(int firstPort, List<String> arguments) {
        for (int i = 0; i < BASELINE_ROLES.size(); i++) {
            List<String> roleArguments = new ArrayList<>(List.of("--chain.role=" + BASELINE_ROLES.get(i)));
            roleArguments.addAll(arguments);
            launch("sync-" + BASELINE_ROLES.get(i), "sync-chain", firstPort + i, roleArguments);
        }
        return awaitReady();
    }

    private int launchMore(String module, int count, int firstPort, List<String> arguments) {
        for (int n = 2; n <= count; n++) {
            launch(module + "-" + n, module, firstPort + n - 2, arguments);
        }
        return firstPort + Math.max(count - 1, 0);
    }

    /** The names of the running instances, in the order they were started. */
    public List<String> names() {
        return List.copyOf(instances.keySet());
    }

    public int port(String name) {
        return instance(name).port;
    }

    public long pid(String name) {
        return instance(name).process.pid();
    }

    public boolean alive(String name) {
        return instance(name).process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful stop, unacknowledged work stays with the brokers. */
    public void kill(String name) {
        waitFor(instance(name).process.destroyForcibly(), Duration.ofSeconds(10));
    }

    /** Starts an instance that was killed or stopped again, with its arguments, and waits until it is ready. */
    public void restart(String name) {
        restart(name, instance(name).arguments);
    }

    /** Stops an instance (gracefully) and starts it again with other arguments, and waits until it is ready. */
    public void restart(String name, List<String> arguments) {
        Instance instance = instance(name);
        stop(instance);
        launch(name, instance.module, instance.port, arguments);
        awaitReady();
    }

    /** SIGTERM to every instance, SIGKILL to those still running after 20 s; forgets them all. */
    public void stopAll() {
        instances.values().forEach(instance -> instance.process.destroy());
        instances.values().forEach(this::stop);
        instances.clear();
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException exiting) {
            // the hook is running or has run
        }
    }

    private void destroyAll() {
        instances.values().forEach(instance -> instance.process.destroy());
        instances.values().forEach(this::stop);
    }

    private void stop(Instance instance) {
        instance.process.destroy();
        if (!waitFor(instance.process, GRACE)) {
            waitFor(instance.process.destroyForcibly(), Duration.ofSeconds(5));
        }
    }

    private Instance instance(String name) {
        Instance instance = instances.get(name);
        if (instance == null) {
            throw new IllegalArgumentException("no instance " + name + "; running: " + instances.keySet());
        }
        return instance;
    }

    private void launch(String name, String module, int port, List<String> arguments) {
        if (listening(port)) {
            throw new IllegalStateException("port " + port + " for " + name + " is taken; stop what runs there first "
                    + "(./switchboard down stops what ./switchboard up started)");
        }
        Path jar = copyOfJar(module);
        List<String> command = new ArrayList<>(module.equals("gateway-service") ? List.of() : PIPELINE_PRIORITY);
        command.add(java());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(serviceArguments(module, port));
        command.addAll(arguments);
        try {
            Path log = Files.createDirectories(work.resolve("logs")).resolve(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            instances.put(name, new Instance(name, module, port, List.copyOf(arguments), process, health(module, port), log));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Its ports and profile, and for a gateway where the operations service is. */
    private List<String> serviceArguments(String module, int port) {
        List<String> arguments = new ArrayList<>(List.of("--server.port=" + port, "--spring.profiles.active=local"));
        if (!module.equals("sync-chain")) {
            arguments.add("--management.server.port=" + managementPort(port));
        }
        if (module.equals("gateway-service") && operationsPort > 0) {
            arguments.add("--switchboard.operations.url=http://127.0.0.1:" + operationsPort);
        }
        return arguments;
    }

    /** The jar of the build, copied once per platform. */
    private Path copyOfJar(String module) {
        Path built = repo.resolve(module).resolve("target").resolve(module + "-exec.jar");
        if (!Files.exists(built)) {
            throw new IllegalStateException(built + " is missing; build it first (./mvnw -DskipTests package)");
        }
        try {
            Path copy = Files.createDirectories(work.resolve("jars")).resolve(module + "-exec.jar");
            if (instances.values().stream().noneMatch(instance -> instance.module.equals(module))) {
                Files.copy(built, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + built, e);
        }
    }

    /** The services have readiness groups on their management port; the baseline has only its health, on its own port. */
    private static URI health(String module, int port) {
        return module.equals("sync-chain") ? URI.create("http://127.0.0.1:" + port + "/actuator/health")
                : URI.create("http://127.0.0.1:" + managementPort(port) + "/actuator/health/readiness");
    }

    /** A service's actuator (health, Prometheus) listens on its own port: the API port + 100, as in the services' configuration. */
    public static int managementPort(int port) {
        return port + 100;
    }

    private Platform awaitReady() {
        for (Instance instance : instances.values()) {
            await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!instance.process.isAlive()) {
                    throw new IllegalStateException(instance.name + " exited; see " + instance.log);
                }
                // on a shared machine another process may have taken the port meanwhile: its answer is not ours
                return ready(instance.health) && listensOn(instance.process.pid(), instance.port);
            });
        }
        return this;
    }

    /** Whether the process itself listens on the port, from the sockets in {@code /proc/net} and its descriptors. */
    public static boolean listensOn(long pid, int port) {
        String local = ":%04X".formatted(port);
        List<String> sockets = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of(table))) {
                lines.skip(1).map(line -> line.trim().split("\\s+"))
                        .filter(fields -> fields[1].endsWith(local) && fields[3].equals("0A")) // 0A: LISTEN
                        .forEach(fields -> sockets.add("socket:[" + fields[9] + "]"));
            } catch (IOException noTable) {
                // no IPv6
            }
        }
        try (Stream<Path> descriptors = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return descriptors.anyMatch(descriptor -> {
                try {
                    return sockets.contains(Files.readSymbolicLink(descriptor).toString());
                } catch (IOException closed) {
                    return false;
                }
            });
        } catch (IOException gone) {
            return false;
        }
    }

    private boolean ready(URI health) {
        try {
            return http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ------------------------------------------------------------------------------ brokers

    /** The brokers a drill may stop and start again. */
    public enum Broker {
        REDIS(6379), RABBITMQ(5672), KAFKA(9092);

        private final int port;

        Broker(int port) {
            this.port = port;
        }

        public int port() {
            return port;
        }

        /** Whether it takes connections on 127.0.0.1. */
        public boolean listening() {
            return Platform.listening(port);
        }
    }

    /**
     * Stops a broker the launcher started, with its own command ({@code redis-cli shutdown}, which
     * keeps the append-only file; {@code rabbitmqctl stop}; SIGTERM to the Kafka JVM), and waits
     * until its process is gone.
     */
    public void stopBroker(Broker broker) throws IOException {
        long pid = brokerPid(broker);
        // what their stop commands answer matters less than the process gone and the port closed, awaited below
        switch (broker) {
            case REDIS -> new ProcessBuilder("redis-cli", "-p", "6379", "shutdown").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            case RABBITMQ -> new ProcessBuilder(privileged("rabbitmqctl", "-q", "stop")).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            case KAFKA -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> !running(pid) && !listening(broker.port));
    }

    /**
     * Starts a broker stopped by {@link #stopBroker} again, the way the launcher started it, on the
     * configuration and data it left under {@code .switchboard/}; records its pid there, so that
     * {@code ./switchboard down} stops it; and waits until it takes connections.
     */
    public void startBroker(Broker broker) {
        Path state = repo.resolve(".switchboard");
        Path pids = state.resolve("pids");
        switch (broker) {
            case REDIS -> run("redis-server", existing(state.resolve("redis").resolve("redis.conf")).toString());
            case RABBITMQ -> {
                Path rabbit = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"), "switchboard-rabbitmq");
                List<String> command = new ArrayList<>(List.of("setsid"));
                command.addAll(privileged("env", "RABBITMQ_CONFIG_FILE=" + existing(rabbit.resolve("rabbitmq.conf")),
                        "RABBITMQ_ENABLED_PLUGINS_FILE=" + existing(rabbit.resolve("enabled_plugins")), "rabbitmq-server"));
                detach(command, state.resolve("logs").resolve("rabbitmq.log"));
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                        .until(() -> run(privileged("rabbitmqctl", "-q", "await_startup", "--timeout", "60")) != null);
                write(pids.resolve("rabbitmq.pid"), run(privileged("rabbitmqctl", "-q", "eval", "list_to_integer(os:getpid()).")));
            }
            case KAFKA -> {
                Path kafka = state.resolve("kafka");
                Process process = detach(List.of("setsid", java(), "-Xms512m", "-Xmx1g", "-Djava.awt.headless=true",
                        "-Dlog4j2.configurationFile=" + repo.resolve("deploy/native/kafka/log4j2.properties"),
                        "-cp", kafka.resolve("libs") + "/*", "kafka.Kafka", existing(kafka.resolve("server.properties")).toString()),
                        state.resolve("logs").resolve("kafka.log"));
                write(pids.resolve("kafka.pid"), String.valueOf(process.pid()));
            }
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> listening(broker.port));
    }

    private long brokerPid(Broker broker) {
        Path file = repo.resolve(".switchboard/pids").resolve(broker.name().toLowerCase() + ".pid");
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException(broker + " was not started by this checkout's ./switchboard infra (no " + file + ")", e);
        }
    }

    /** Alive and not a zombie, read from {@code /proc}: RabbitMQ's VM belongs to another user. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    /** rabbitmq-server and rabbitmqctl run as root (they switch to the rabbitmq user): through sudo unless we are root. */
    private static List<String> privileged(String... command) {
        List<String> line = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            line.add("sudo");
        }
        line.addAll(List.of(command));
        return line;
    }

    private static Path existing(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing; start the brokers with ./switchboard infra first");
        }
        return file;
    }

    /** Runs a command to its end; its output, or an exception if it failed. */
    private static String run(List<String> command) {
        return run(command.toArray(String[]::new));
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            if (!waitFor(process, Duration.ofMinutes(2)) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0], e);
        }
    }

    /** A process in a session of its own, which outlives this JVM like the launcher's brokers do. */
    private static Process detach(List<String> command, Path log) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content.trim() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Instance(String name, String module, int port, List<String> arguments, Process process, URI health, Path log) {
    }
}
